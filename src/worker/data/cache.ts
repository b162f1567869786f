import { openDB, type IDBPDatabase } from 'idb';
import type { ImageSet } from '../../data/imageSet';
import { describeStorageFailure } from '../../train/storageErrors';
import { storageEstimate } from '../idbCheckpoints';
import type { DataRole } from './types';

/** One cached set: the ImageSet plus its role, stored under its key. */
export interface CachedSet {
  key: string;
  role: DataRole;
  split?: 'train' | 'test';
  set: ImageSet;
  savedAt: number;
}

/** What the 'sets' store holds: the set without its pixels, which live in 'chunks'. */
interface StoredMeta extends Omit<CachedSet, 'set'> {
  set: Omit<ImageSet, 'images'>;
  imageBytes: number;
  chunks: number;
}

const DB = 'aoe-data';
/**
 * Pixels are written in chunks of 16 MB, one transaction each, so caching the 150 MB CIFAR-10 training set never
 * needs a second full-size structured-clone copy in memory.
 */
const CHUNK = 16 << 20;
let db: Promise<IDBPDatabase> | null = null;

function open(): Promise<IDBPDatabase> {
  db ??= openDB(DB, 2, {
    upgrade(d) {
      for (const s of ['sets', 'chunks'])
        if (!d.objectStoreNames.contains(s)) d.createObjectStore(s, { keyPath: s === 'sets' ? 'key' : 'id' });
    },
  });
  return db;
}

async function deleteChunks(d: IDBPDatabase, key: string): Promise<void> {
  const old = (await d.get('sets', key)) as StoredMeta | undefined;
  if (!old) return;
  await d.delete('sets', key);
  for (let i = 0; i < old.chunks; i++) await d.delete('chunks', `${key}#${i}`);
}

/**
 * Stores a set: its pixels in 16 MB chunks, then the metadata (so a half-written set is never listed). A refused
 * write (storage full) deletes the chunks already written and throws a message with the space used / available.
 */
export async function cachePut(entry: CachedSet): Promise<void> {
  const d = await open();
  await deleteChunks(d, entry.key);
  const { images, ...rest } = entry.set;
  const chunks = Math.ceil(images.length / CHUNK);
  let written = 0;
  try {
    for (; written < chunks; written++)
      await d.put('chunks', {
        id: `${entry.key}#${written}`,
        bytes: images.slice(written * CHUNK, (written + 1) * CHUNK),
      });
    const meta: StoredMeta = { ...entry, set: rest, imageBytes: images.length, chunks };
    await d.put('sets', meta);
  } catch (err) {
    for (let i = 0; i < written; i++) await d.delete('chunks', `${entry.key}#${i}`).catch(() => undefined);
    throw new Error(
      describeStorageFailure(`the data set "${entry.set.name}"`, images.length, err, await storageEstimate()),
    );
  }
}

/** All cached sets, pixels reassembled into one buffer each. */
export async function cacheAll(): Promise<CachedSet[]> {
  const d = await open();
  const metas = (await d.getAll('sets')) as StoredMeta[];
  const out: CachedSet[] = [];
  for (const m of metas) {
    const images = new Uint8Array(m.imageBytes);
    let ok = true;
    for (let i = 0; i < m.chunks; i++) {
      const c = (await d.get('chunks', `${m.key}#${i}`)) as { bytes: Uint8Array } | undefined;
      if (!c) {
        ok = false;
        break;
      }
      images.set(c.bytes, i * CHUNK);
    }
    if (ok)
      out.push({ key: m.key, role: m.role, split: m.split, savedAt: m.savedAt, set: { ...m.set, images } });
  }
  return out;
}

export async function cacheDelete(key: string): Promise<void> {
  await deleteChunks(await open(), key);
}

export async function cacheClear(): Promise<void> {
  const d = await open();
  await d.clear('sets');
  await d.clear('chunks');
}

/** True when IndexedDB is usable here (not in some private modes). */
export function cacheAvailable(): boolean {
  return typeof indexedDB !== 'undefined';
}

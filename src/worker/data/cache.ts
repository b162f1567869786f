import { openDB, type IDBPDatabase } from 'idb';
import type { ImageSet } from '../../data/imageSet';
import type { DataRole } from './types';

/** One cached set: the ImageSet's buffers plus its role, stored under its key. */
export interface CachedSet {
  key: string;
  role: DataRole;
  split?: 'train' | 'test';
  set: ImageSet;
  savedAt: number;
}

const DB = 'aoe-data';
const STORE = 'sets';
let db: Promise<IDBPDatabase> | null = null;

function open(): Promise<IDBPDatabase> {
  db ??= openDB(DB, 1, {
    upgrade(d) {
      d.createObjectStore(STORE, { keyPath: 'key' });
    },
  });
  return db;
}

/** Stores a set (its typed arrays are structured-cloned by IndexedDB). */
export async function cachePut(entry: CachedSet): Promise<void> {
  await (await open()).put(STORE, entry);
}

/** All cached sets. */
export async function cacheAll(): Promise<CachedSet[]> {
  return (await (await open()).getAll(STORE)) as CachedSet[];
}

export async function cacheDelete(key: string): Promise<void> {
  await (await open()).delete(STORE, key);
}

export async function cacheClear(): Promise<void> {
  await (await open()).clear(STORE);
}

/** True when IndexedDB is usable here (not in some private modes). */
export function cacheAvailable(): boolean {
  return typeof indexedDB !== 'undefined';
}

import { openDB, type IDBPDatabase } from 'idb';
import {
  checkpointMeta,
  type Checkpoint,
  type CheckpointMeta,
  type CheckpointStore,
} from '../train/checkpoint';
import { describeStorageFailure, type StorageEstimate } from '../train/storageErrors';

const DB_NAME = 'aoe-playground';
/** Version 1 kept whole checkpoints in 'checkpoints'; version 2 splits metadata from the arrays. */
const VERSION = 2;
const LEGACY = 'checkpoints';
const META = 'checkpoint-meta';
const DATA = 'checkpoint-data';

type CheckpointData = Pick<Checkpoint, 'id' | 'modelState' | 'optimizerState'>;

/** `navigator.storage.estimate()` where the browser has it (workers do), else null. */
export async function storageEstimate(): Promise<StorageEstimate | null> {
  const storage = (self as unknown as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (!storage?.estimate) return null;
  try {
    const { usage, quota } = await storage.estimate();
    return { usage, quota };
  } catch {
    return null;
  }
}

/**
 * Checkpoints in IndexedDB: one per run (keyed by run id, so a run's newer checkpoint replaces its older one).
 * Metadata (config, step, curve, size) and the arrays live in two object stores written in one transaction, so
 * a write either lands whole or not at all (a refused write leaves the run's previous checkpoint in place), and
 * listing checkpoints never reads the tensors. Typed arrays are stored by structured clone (their byte size).
 */
export class IdbCheckpointStore implements CheckpointStore {
  private db: Promise<IDBPDatabase> | null = null;

  private open(): Promise<IDBPDatabase> {
    this.db ??= openDB(DB_NAME, VERSION, {
      async upgrade(db, oldVersion, _newVersion, tx) {
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: 'id' });
        if (!db.objectStoreNames.contains(DATA)) db.createObjectStore(DATA, { keyPath: 'id' });
        if (oldVersion < 2 && db.objectStoreNames.contains(LEGACY)) {
          // Move version-1 checkpoints into the split layout (inside the upgrade transaction: all or nothing).
          const legacy = (await tx.objectStore(LEGACY).getAll()) as Checkpoint[];
          for (const cp of legacy) {
            await tx.objectStore(DATA).put(dataOf(cp));
            await tx.objectStore(META).put(checkpointMeta(cp));
          }
          db.deleteObjectStore(LEGACY);
        }
      },
    }).then(async (db) => {
      await sweepOrphans(db);
      return db;
    });
    return this.db;
  }

  async save(cp: Checkpoint): Promise<void> {
    const meta = checkpointMeta(cp);
    const db = await this.open();
    const tx = db.transaction([DATA, META], 'readwrite');
    try {
      // Request promises are awaited through tx.done (which rejects with the abort reason, e.g. the quota error).
      void tx
        .objectStore(DATA)
        .put(dataOf(cp))
        .catch(() => undefined);
      void tx
        .objectStore(META)
        .put(meta)
        .catch(() => undefined);
      await tx.done;
    } catch (err) {
      try {
        tx.abort(); // a synchronous throw leaves the transaction open: make sure nothing of it lands
      } catch {
        // already finished or aborted
      }
      await tx.done.catch(() => undefined);
      throw new Error(
        describeStorageFailure(
          `the checkpoint of ${cp.id} at step ${cp.step}`,
          meta.bytes,
          err,
          await storageEstimate(),
        ),
      );
    }
  }

  async load(id: string): Promise<Checkpoint | null> {
    const tx = (await this.open()).transaction([META, DATA], 'readonly');
    const [meta, data] = await Promise.all([
      tx.objectStore(META).get(id) as Promise<CheckpointMeta | undefined>,
      tx.objectStore(DATA).get(id) as Promise<CheckpointData | undefined>,
    ]);
    if (!meta || !data) return null;
    const { bytes: _bytes, ...rest } = meta;
    return { ...rest, modelState: data.modelState, optimizerState: data.optimizerState };
  }

  async list(): Promise<CheckpointMeta[]> {
    const all = (await (await this.open()).getAll(META)) as CheckpointMeta[];
    return all.sort((a, b) => b.savedAt - a.savedAt);
  }

  async latest(): Promise<Checkpoint | null> {
    const [newest] = await this.list();
    return newest ? this.load(newest.id) : null;
  }

  async remove(id: string): Promise<void> {
    const tx = (await this.open()).transaction([META, DATA], 'readwrite');
    await Promise.all([tx.objectStore(META).delete(id), tx.objectStore(DATA).delete(id), tx.done]);
  }
}

function dataOf(cp: Checkpoint): CheckpointData {
  return { id: cp.id, modelState: cp.modelState, optimizerState: cp.optimizerState };
}

/** Delete metadata without arrays and arrays without metadata (left by an interrupted older version). */
async function sweepOrphans(db: IDBPDatabase): Promise<void> {
  const tx = db.transaction([META, DATA], 'readwrite');
  const metaKeys = new Set((await tx.objectStore(META).getAllKeys()).map(String));
  const dataKeys = new Set((await tx.objectStore(DATA).getAllKeys()).map(String));
  for (const k of metaKeys) if (!dataKeys.has(k)) await tx.objectStore(META).delete(k);
  for (const k of dataKeys) if (!metaKeys.has(k)) await tx.objectStore(DATA).delete(k);
  await tx.done;
}

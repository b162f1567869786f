import { openDB, type IDBPDatabase } from 'idb';
import type { Checkpoint, CheckpointStore } from '../train/checkpoint';

const DB_NAME = 'aoe-playground';
const STORE = 'checkpoints';

/**
 * Checkpoints in IndexedDB (one object store, keyed by run id; the latest checkpoint of a run replaces the
 * previous one). Typed arrays are stored by structured clone, so weights cost their byte size.
 */
export class IdbCheckpointStore implements CheckpointStore {
  private db: Promise<IDBPDatabase> | null = null;

  private open(): Promise<IDBPDatabase> {
    this.db ??= openDB(DB_NAME, 1, {
      upgrade(db) {
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'id' });
      },
    });
    return this.db;
  }

  async save(cp: Checkpoint): Promise<void> {
    try {
      await (await this.open()).put(STORE, cp);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`Could not write the checkpoint to IndexedDB (${msg}). Is the browser's storage full?`);
    }
  }

  async load(id: string): Promise<Checkpoint | null> {
    return ((await (await this.open()).get(STORE, id)) as Checkpoint | undefined) ?? null;
  }

  async latest(): Promise<Checkpoint | null> {
    const all = (await (await this.open()).getAll(STORE)) as Checkpoint[];
    return all.reduce<Checkpoint | null>((a, b) => (!a || b.savedAt > a.savedAt ? b : a), null);
  }

  async remove(id: string): Promise<void> {
    await (await this.open()).delete(STORE, id);
  }
}

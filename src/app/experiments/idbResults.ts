/**
 * The browser's results store: every result row in IndexedDB (database `aoe-results`), keyed by its measurement
 * identity (`rowKey`), so an import or a rerun of the same measurement replaces it instead of duplicating it.
 * Implements the runner's {@link ResultsStore} (the worker reaches it through a comlink proxy), plus listing,
 * deleting and clearing per experiment, and the "active run" record a reload resumes from.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { rowKey } from '../../experiments/results';
import type { ResultsStore } from '../../experiments/run';
import type { ResultRow, Scalar, ScaleName } from '../../experiments/types';

const DB_NAME = 'aoe-results';
const ROWS = 'rows';
const META = 'meta';

interface StoredRow {
  key: string;
  experiment: string;
  cellKey: string;
  row: ResultRow;
}

/** The grid that was running when the page went away (deleted when it completes or is cancelled). */
export interface ActiveRun {
  specId: string;
  scale: ScaleName;
  extraGrid: Record<string, Scalar[]>;
  startedAt: string;
}

export class IdbResultsStore implements ResultsStore {
  private db: Promise<IDBPDatabase> | null = null;

  private open(): Promise<IDBPDatabase> {
    this.db ??= openDB(DB_NAME, 1, {
      upgrade(db) {
        const rows = db.createObjectStore(ROWS, { keyPath: 'key' });
        rows.createIndex('cellKey', 'cellKey');
        rows.createIndex('experiment', 'experiment');
        db.createObjectStore(META, { keyPath: 'id' });
      },
    });
    return this.db;
  }

  async rowsForCell(cellKey: string, scale: string): Promise<ResultRow[]> {
    const got = (await (await this.open()).getAllFromIndex(ROWS, 'cellKey', cellKey)) as StoredRow[];
    return got.map((s) => s.row).filter((r) => r.scale === scale && r.origin !== 'paper');
  }

  /** Store rows; a row with the same measurement identity replaces the stored one. */
  async add(rows: readonly ResultRow[]): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(ROWS, 'readwrite');
    try {
      await Promise.all([
        ...rows.map((row) =>
          tx.store.put({
            key: rowKey(row),
            experiment: row.experiment,
            cellKey: row.cellKey,
            row,
          } satisfies StoredRow),
        ),
        tx.done,
      ]);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`Could not store result rows in IndexedDB (${msg}). Is the browser's storage full?`);
    }
  }

  /** Every stored row, or those of one experiment. */
  async rows(experiment?: string): Promise<ResultRow[]> {
    const db = await this.open();
    const got = (
      experiment === undefined
        ? await db.getAll(ROWS)
        : await db.getAllFromIndex(ROWS, 'experiment', experiment)
    ) as StoredRow[];
    return got.map((s) => s.row);
  }

  /** Delete the rows of one experiment (all origins the user stored: runs and imports). */
  async deleteExperiment(experiment: string): Promise<number> {
    const db = await this.open();
    const keys = await db.getAllKeysFromIndex(ROWS, 'experiment', experiment);
    const tx = db.transaction(ROWS, 'readwrite');
    await Promise.all([...keys.map((k) => tx.store.delete(k)), tx.done]);
    return keys.length;
  }

  async clear(): Promise<void> {
    await (await this.open()).clear(ROWS);
  }

  async activeRun(): Promise<ActiveRun | null> {
    const rec = (await (await this.open()).get(META, 'active')) as (ActiveRun & { id: string }) | undefined;
    if (!rec) return null;
    const { id: _id, ...run } = rec;
    return run;
  }

  async setActiveRun(run: ActiveRun | null): Promise<void> {
    const db = await this.open();
    if (run) await db.put(META, { id: 'active', ...run });
    else await db.delete(META, 'active');
  }
}

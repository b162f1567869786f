/**
 * Per-sample scores of the cells run in this browser: IndexedDB database `aoe-cell-scores` (one record per
 * cellKey + scale, Float32Arrays stored as they are), the runner's `addScores` target (through the experiments
 * store's comlink proxy), and the "Export scores" action of each finished cell. Components render `keys` only.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { create } from 'zustand';
import { cellScoresKey, cellScoresToCsv, type CellScores } from '../../experiments/cellScores';
import { downloadText } from './figureExport';

const DB_NAME = 'aoe-cell-scores';
const SCORES = 'scores';

let db: Promise<IDBPDatabase> | null = null;
function open(): Promise<IDBPDatabase> {
  db ??= openDB(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore(SCORES);
    },
  });
  return db;
}

export interface CellScoresState {
  /** cellScoresKey of every cell whose scores are stored. */
  keys: ReadonlySet<string>;
  error: string | null;
  /** Read the stored keys (once at start). */
  init(): Promise<void>;
  add(scores: CellScores): Promise<void>;
  get(cellKey: string, scale: string): Promise<CellScores | null>;
  /** The cell's scores as aoe-cell-scores CSV text (throws when none are stored). */
  csv(cellKey: string, scale: string): Promise<string>;
  /** Download `<experiment>.<cellKey>.<scale>.scores.csv`. */
  exportCell(experiment: string, cellKey: string, scale: string): Promise<void>;
  /** Delete the scores of cells not in `keep` (after rows were deleted). */
  prune(keep: ReadonlySet<string>): Promise<void>;
}

export const useCellScoresStore = create<CellScoresState>((set, get) => ({
  keys: new Set(),
  error: null,
  async init() {
    try {
      const keys = (await (await open()).getAllKeys(SCORES)) as string[];
      set({ keys: new Set(keys) });
    } catch (err) {
      set({ error: `Per-sample scores are unavailable: ${(err as Error).message}` });
    }
  },
  async add(scores) {
    const key = cellScoresKey(scores.cellKey, scores.scale);
    try {
      await (await open()).put(SCORES, scores, key);
    } catch (err) {
      throw new Error(
        `Could not store the cell's per-sample scores in IndexedDB (${(err as Error).message}). Is the browser's storage full?`,
      );
    }
    set((s) => ({ keys: new Set([...s.keys, key]) }));
  },
  async get(cellKey, scale) {
    return (
      ((await (await open()).get(SCORES, cellScoresKey(cellKey, scale))) as CellScores | undefined) ?? null
    );
  },
  async csv(cellKey, scale) {
    const s = await get().get(cellKey, scale);
    if (!s) throw new Error(`No per-sample scores are stored for cell ${cellKey} (${scale}).`);
    return cellScoresToCsv(s);
  },
  async exportCell(experiment, cellKey, scale) {
    try {
      downloadText(
        `${experiment}.${cellKey}.${scale}.scores.csv`,
        await get().csv(cellKey, scale),
        'text/csv',
      );
      set({ error: null });
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
  async prune(keep) {
    const d = await open();
    const gone = [...get().keys].filter((k) => !keep.has(k));
    const tx = d.transaction(SCORES, 'readwrite');
    await Promise.all([...gone.map((k) => tx.store.delete(k)), tx.done]);
    set((s) => ({ keys: new Set([...s.keys].filter((k) => keep.has(k))) }));
  },
}));

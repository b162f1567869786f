/**
 * The one experiment runner. Expands a spec at a scale into cells (identical trainings shared), skips cells whose
 * rows are already in the results store (a reload or a restart resumes where it stopped), trains and evaluates
 * the others through a model-specific {@link CellExecutor}, and emits flat rows as each cell finishes. Cancel with
 * an AbortSignal; pause/resume through {@link RunControl}. Runs unchanged in the worker, in Node and in tests.
 */
import {
  CELL_SCORES_FORMAT,
  CELL_SCORES_VERSION,
  cellScoresKey,
  type CellScores,
  type ScoresOfCell,
} from './cellScores';
import { planCells } from './grid';
import { stableStringify } from './json';
import type {
  CellPlan,
  ExperimentSpec,
  Measurement,
  Provenance,
  ResultRow,
  RunConfig,
  Scalar,
  ScaleName,
} from './types';

export type { Measurement };

/** What one executed cell returns. */
export interface CellOutcome {
  measurements: Measurement[];
  /** The setting label for rows ('consistent' | 'authors' | 'toy'). */
  setting: string;
  /** Per-cell artefacts kept by reference (histograms, curves), JSON-serialisable. */
  artefacts?: Record<string, unknown>;
  /** Per-sample scores of the cell's final detector evaluation, kept by the store beside its rows. */
  scores?: ScoresOfCell;
}

/** Progress inside a cell, reported by executors. */
export interface CellProgress {
  /** 0..1 of this cell's work. */
  fraction: number;
  /** What is happening ("training step 12/40", "fitting ViM"). */
  message: string;
}

/** Cancellation and pause, shared by the runner and its executors. Executors call `gate()` often. */
export class RunControl {
  private pausedSince: number | null = null;
  private waiters: (() => void)[] = [];
  constructor(readonly signal: AbortSignal) {}

  get paused(): boolean {
    return this.pausedSince !== null;
  }
  private listeners: ((paused: boolean) => void)[] = [];
  pause(): void {
    if (this.pausedSince === null) {
      this.pausedSince = Date.now();
      for (const l of this.listeners) l(true);
    }
  }
  resume(): void {
    const was = this.pausedSince !== null;
    this.pausedSince = null;
    for (const w of this.waiters.splice(0)) w();
    if (was) for (const l of this.listeners) l(false);
  }
  /** Call `listener(paused)` on every pause and resume (e.g. to forward them to a cell running elsewhere). */
  onPauseChange(listener: (paused: boolean) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
  /** Throws an AbortError when cancelled; waits while paused (a cancel while paused also throws). */
  async gate(): Promise<void> {
    this.signal.throwIfAborted();
    while (this.pausedSince !== null) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        this.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      this.signal.throwIfAborted();
    }
  }
}

export interface CellContext {
  control: RunControl;
  onProgress: (p: CellProgress) => void;
  spec: ExperimentSpec;
}

/** Trains and evaluates one cell config. Must honour `ctx.control` (cancel within a second, pause). */
export type CellExecutor = (config: RunConfig, ctx: CellContext) => Promise<CellOutcome>;

/** Where finished rows live: IndexedDB in the browser, a JSON file in Node, memory in tests. */
export interface ResultsStore {
  /** Rows of a trained cell (any experiment), or empty when it never finished. */
  rowsForCell(cellKey: string, scale: string): Promise<ResultRow[]>;
  add(rows: readonly ResultRow[]): Promise<void>;
  /** Keep a cell's per-sample scores (keyed by cellKey + scale; a rerun replaces them). Optional. */
  addScores?(scores: CellScores): Promise<void>;
}

/** Grid-level progress. */
export interface ExperimentProgress {
  experiment: string;
  cellsTotal: number;
  /** Cells finished (including the ones found in the store). */
  cellsDone: number;
  cellsReused: number;
  /** The cell running now (null between cells and at the end). */
  current: { index: number; cellKey: string; label: string; fraction: number; message: string } | null;
  elapsedSeconds: number;
  /** Remaining seconds from the mean time of the cells trained in this run (null before the first estimate). */
  etaSeconds: number | null;
  paused: boolean;
}

export interface RunOptions {
  scale: ScaleName | 'custom';
  execute: CellExecutor;
  /**
   * Further executors that take cells at the same time as `execute` (e.g. one per extra worker): each takes the
   * next unstarted cell when it finishes one. A cell's rows do not depend on which executor ran it.
   */
  parallel?: readonly CellExecutor[];
  store: ResultsStore;
  /** Provenance stamped on every new row (the date is set when each cell finishes). */
  provenance: Omit<Provenance, 'date' | 'scale'>;
  signal?: AbortSignal;
  control?: RunControl;
  /** Extra or replaced axes (e.g. `{ seed: [1, 2, 3] }`). */
  extraGrid?: Readonly<Record<string, readonly Scalar[]>>;
  onRows?: (rows: ResultRow[]) => void;
  onProgress?: (p: ExperimentProgress) => void;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** A short label of a grid point for progress lines: "AOE ε=0.5 seed 1". */
export function cellLabel(points: readonly RunConfig[]): string {
  return points
    .map((p) =>
      Object.entries(p)
        .map(([k, v]) => (k === 'method' ? String(v) : `${k === 'epsilon' ? 'ε' : k}=${String(v)}`))
        .join(' '),
    )
    .join(' | ');
}

/** Rows for every grid point a cell serves, from one cell's measurements. */
export function rowsForPoints(
  spec: ExperimentSpec,
  plan: CellPlan,
  outcome: Pick<CellOutcome, 'measurements' | 'setting'>,
  provenance: Provenance,
): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const point of plan.points) {
    const config = { ...plan.config, ...point };
    for (const m of outcome.measurements) {
      rows.push({
        experiment: spec.id,
        cellKey: plan.cellKey,
        cell: point,
        config,
        seed: Number(config.seed),
        setting: outcome.setting,
        ...m,
        ...provenance,
      });
    }
  }
  return rows;
}

/** Re-address stored rows of a finished cell (maybe from another experiment) to this spec's grid points. */
function reuseRows(spec: ExperimentSpec, plan: CellPlan, stored: readonly ResultRow[]): ResultRow[] {
  const first = stored[0];
  const provenance: Provenance = {
    origin: first.origin,
    backend: first.backend,
    device: first.device,
    scale: first.scale,
    appVersion: first.appVersion,
    date: first.date,
  };
  // One copy of the measurements: rows of the first stored grid point.
  const ref = stableStringify(first.cell);
  const measurements: Measurement[] = stored
    .filter((r) => stableStringify(r.cell) === ref)
    .map((r) => ({
      detector: r.detector,
      oodSet: r.oodSet,
      metric: r.metric,
      value: r.value,
      epoch: r.epoch,
      budget: r.budget,
      nId: r.nId,
      nOod: r.nOod,
    }));
  return rowsForPoints(spec, plan, { measurements, setting: first.setting }, provenance);
}

/**
 * Whether a trained cell's stored rows (maybe from another experiment) answer everything `evaluate` asks: each
 * detector, metric and named OOD set, every attack budget, per-epoch rows. Otherwise the cell runs again (the
 * same training with this spec's evaluation), e.g. Fig. 6 after Table 2 shares the OE training but not the attack.
 */
export function storedCovers(stored: readonly ResultRow[], evaluate: ExperimentSpec['evaluate']): boolean {
  const has = (f: (r: ResultRow) => boolean) => stored.some(f);
  for (const d of evaluate.detectors) if (!has((r) => r.detector === d)) return false;
  for (const m of evaluate.metrics) if (m !== 'AREA' && !has((r) => r.metric === m)) return false;
  if (evaluate.oodSets !== 'all')
    for (const s of evaluate.oodSets) if (!has((r) => r.oodSet === s)) return false;
  if (evaluate.attack) for (const b of evaluate.attack.budgets) if (!has((r) => r.budget === b)) return false;
  if (evaluate.everyEpoch && !has((r) => r.epoch !== null)) return false;
  return true;
}

/**
 * Run (or resume) an experiment. Resolves with all rows of the grid (reused and new) when every cell is done;
 * rejects with an AbortError when cancelled (rows of finished cells are already in the store).
 */
export async function runExperiment(spec: ExperimentSpec, o: RunOptions): Promise<ResultRow[]> {
  const control = o.control ?? new RunControl(o.signal ?? new AbortController().signal);
  const now = o.now ?? (() => Date.now());
  const plans = planCells(spec, o.scale, o.extraGrid);
  const executors = [o.execute, ...(o.parallel ?? [])];
  const start = now();
  const rowsOf: ResultRow[][] = plans.map(() => []);
  let done = 0;
  let reused = 0;
  let trainedSeconds = 0;
  let trained = 0;
  /** Fractions of the cells running now, by plan index. */
  const running = new Map<number, number>();
  const progress = (current: ExperimentProgress['current']) => {
    if (current) running.set(current.index, current.fraction);
    let inFlight = 0;
    for (const f of running.values()) inFlight += f;
    const remaining = plans.length - done - inFlight;
    // Cells run `executors.length` at a time: the mean wall time per cell over that many.
    const eta =
      trained > 0
        ? ((trainedSeconds / trained) * remaining) / Math.min(executors.length, plans.length)
        : null;
    o.onProgress?.({
      experiment: spec.id,
      cellsTotal: plans.length,
      cellsDone: done,
      cellsReused: reused,
      current,
      elapsedSeconds: (now() - start) / 1000,
      etaSeconds: eta,
      paused: control.paused,
    });
  };
  const runCell = async (index: number, execute: CellExecutor) => {
    const plan = plans[index];
    await control.gate();
    const stored = await o.store.rowsForCell(plan.cellKey, o.scale);
    if (stored.length > 0 && storedCovers(stored, spec.evaluate)) {
      const rows = reuseRows(spec, plan, stored);
      const fresh = rows.filter(
        (r) =>
          !stored.some(
            (s) => s.experiment === r.experiment && stableStringify(s.cell) === stableStringify(r.cell),
          ),
      );
      if (fresh.length) await o.store.add(fresh);
      rowsOf[index] = rows;
      done++;
      reused++;
      o.onRows?.(rows);
      progress(null);
      return;
    }
    const label = cellLabel(plan.points);
    const t0 = now();
    progress({ index, cellKey: plan.cellKey, label, fraction: 0, message: 'starting' });
    const outcome = await execute(plan.config, {
      control,
      spec,
      onProgress: (p) =>
        progress({ index, cellKey: plan.cellKey, label, fraction: p.fraction, message: p.message }),
    });
    running.delete(index);
    // A cell the executor finished is kept even if a cancel arrives now; the next gate stops the grid.
    const provenance: Provenance = { ...o.provenance, scale: o.scale, date: new Date(now()).toISOString() };
    const rows = rowsForPoints(spec, plan, outcome, provenance);
    // Scores first: a cell whose rows are stored counts as finished, so its scores must already be there.
    if (outcome.scores && o.store.addScores)
      await o.store.addScores({
        format: CELL_SCORES_FORMAT,
        version: CELL_SCORES_VERSION,
        experiment: spec.id,
        cellKey: plan.cellKey,
        scale: o.scale,
        ...outcome.scores,
      });
    await o.store.add(rows);
    rowsOf[index] = rows;
    trainedSeconds += (now() - t0) / 1000;
    trained++;
    done++;
    o.onRows?.(rows);
    progress(null);
  };
  progress(null);
  let next = 0;
  let failure: { error: unknown } | null = null;
  // Each executor takes the next unstarted cell; after a failure (or a cancel) none starts another, and the
  // run settles only when every executor has stopped, so nothing still runs when it rejects.
  await Promise.all(
    executors.map(async (execute) => {
      while (!failure && next < plans.length) {
        const index = next++;
        try {
          await runCell(index, execute);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw (failure as { error: unknown }).error;
  return rowsOf.flat();
}

/** An in-memory {@link ResultsStore} (tests, Node before writing a file). */
export class MemoryResultsStore implements ResultsStore {
  readonly rows: ResultRow[] = [];
  /** Per-sample scores by {@link cellScoresKey}. */
  readonly scores = new Map<string, CellScores>();
  constructor(initial: readonly ResultRow[] = []) {
    this.rows.push(...initial);
  }
  async rowsForCell(cellKey: string, scale: string): Promise<ResultRow[]> {
    return this.rows.filter((r) => r.cellKey === cellKey && r.scale === scale && r.origin !== 'paper');
  }
  async add(rows: readonly ResultRow[]): Promise<void> {
    this.rows.push(...rows);
  }
  async addScores(scores: CellScores): Promise<void> {
    this.scores.set(cellScoresKey(scores.cellKey, scores.scale), scores);
  }
}

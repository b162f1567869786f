import type { ExperimentConfig } from './config';
import type { NamedArray } from './types';

/** One point of the training curves. */
export interface CurvePoint {
  step: number;
  epoch: number;
  loss: number;
  /** Running train accuracy over the epoch so far (fraction). */
  accuracy: number;
  lr: number;
}

/**
 * Everything needed to continue a run exactly: weights + BN running statistics (model state), optimizer
 * buffers, the next step to run, the config, and the curves so far. The random "state" is the step
 * counter: all randomness is derived from (seed, step) (see batches.ts `mixSeed`). Plain data only, so it is
 * structured-cloneable into IndexedDB.
 */
export interface Checkpoint {
  id: string;
  /** Wall-clock time it was written (ms since epoch). */
  savedAt: number;
  config: ExperimentConfig;
  /** Global index of the next step to run (= steps completed). */
  step: number;
  /** Epochs completed. */
  epoch: number;
  totalSteps: number;
  modelState: Record<string, NamedArray>;
  optimizerState: NamedArray[];
  curve: CurvePoint[];
  /** Training seconds so far (excluding pauses). */
  elapsedSeconds: number;
}

/** Where checkpoints go: IndexedDB in the worker, a Map in Node tests. */
export interface CheckpointStore {
  save(cp: Checkpoint): Promise<void>;
  load(id: string): Promise<Checkpoint | null>;
  /** The most recent checkpoint of any run, if any. */
  latest(): Promise<Checkpoint | null>;
  remove(id: string): Promise<void>;
}

/** Deep copy of a checkpoint (typed arrays copied), so a stored one never aliases live data. */
export function cloneCheckpoint(cp: Checkpoint): Checkpoint {
  const copy = (a: NamedArray): NamedArray => ({ shape: a.shape.slice(), values: a.values.slice() });
  const modelState: Record<string, NamedArray> = {};
  for (const [k, v] of Object.entries(cp.modelState)) modelState[k] = copy(v);
  return {
    ...cp,
    config: { ...cp.config },
    modelState,
    optimizerState: cp.optimizerState.map(copy),
    curve: cp.curve.map((p) => ({ ...p })),
  };
}

/** In-memory store (copies on save so later mutations cannot change a saved checkpoint). */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly items = new Map<string, Checkpoint>();

  async save(cp: Checkpoint): Promise<void> {
    this.items.set(cp.id, cloneCheckpoint(cp));
  }

  async load(id: string): Promise<Checkpoint | null> {
    const cp = this.items.get(id);
    return cp ? cloneCheckpoint(cp) : null;
  }

  async latest(): Promise<Checkpoint | null> {
    let best: Checkpoint | null = null;
    for (const cp of this.items.values()) if (!best || cp.savedAt >= best.savedAt) best = cp;
    return best ? cloneCheckpoint(best) : null;
  }

  async remove(id: string): Promise<void> {
    this.items.delete(id);
  }
}

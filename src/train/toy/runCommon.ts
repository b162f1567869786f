/** What both toy-run engines (the fast WebAssembly one and the tfjs reference) share: settings, schedule, seeds. */
import { Random } from '../../core/random';
import { cosineAnnealingSchedule } from '../../core/schedules';
import { initMlpWeights, type MlpConfig, type MlpWeights } from '../../models/mlp';
import type { ToyData } from './data';
import type { ToyParams } from './params';

/** The settings a run's training uses (the rest of ToyParams concerns data or display). */
export type ToyTrainSettings = Pick<
  ToyParams,
  | 'method'
  | 'epsilon'
  | 'lambda'
  | 'lr'
  | 'wd'
  | 'batch'
  | 'pgdSteps'
  | 'width'
  | 'depth'
  | 'activation'
  | 'seed'
  | 'steps'
  | 'schedule'
  | 'pretrain'
>;

/** What `evaluateToy` needs of a run (both engines provide it). */
export interface EvaluableRun {
  readonly data: ToyData;
  steps: number;
  lastLoss: number;
  /** Logits [n, K] (row-major) of n interleaved 2-D points [n·2]. */
  logits(points: Float32Array): Float32Array;
  /** The points as this run's method perturbs them for the current model ([n·2]; a copy for CE/OE). */
  perturbPoints(points: Float32Array, rng: Random): Float32Array;
}

export function mlpConfig(data: ToyData, s: ToyTrainSettings): MlpConfig {
  return {
    inputDim: 2,
    width: s.width,
    depth: s.depth,
    outputDim: data.numClasses,
    activation: s.activation,
  };
}

/** The seeded initial weights of a run (before any pre-training): He/Glorot from `seed ^ 0x5eed`. */
export function seededInit(data: ToyData, s: ToyTrainSettings): MlpWeights {
  return initMlpWeights(mlpConfig(data, s), new Random(s.seed ^ 0x5eed).fork());
}

/** The batch-order and perturbation random streams of a run (reset restores them). */
export function runStreams(seed: number): { batchRng: Random; perturbRng: Random } {
  const r = new Random(seed ^ 0xba7c4);
  const batchRng = r.fork();
  return { batchRng, perturbRng: r.fork() };
}

/**
 * Learning rate of step `step` (0-based): constant, or cosine-annealed from lr to 0 over `s.steps` (the WRN's
 * `cosineAnnealingSchedule` with lrMin = 0, held at 0 after the last step).
 */
export function toyLrAt(s: ToyTrainSettings, step: number, constant: boolean): number {
  if (constant || s.schedule !== 'cosine' || !(s.steps > 0)) return s.lr;
  return cosineAnnealingSchedule(s.lr, s.steps, 0)(Math.min(step, s.steps));
}

/**
 * Random minibatch indices (b draws with replacement from `rng`), or null for the full set when batch ≥ n —
 * the same draws in both engines, so they see the same batches.
 */
export function toyBatchIndices(rng: Random, batch: number, n: number): Int32Array | null {
  if (batch >= n) return null;
  const idx = new Int32Array(batch);
  for (let i = 0; i < batch; i++) idx[i] = rng.int(n);
  return idx;
}

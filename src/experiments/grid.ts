/**
 * Grid expansion: a spec's base config + a scale's overrides + the Cartesian product of its axes → cells, with
 * identical trainings (every method at ε = 0, OE at any ε, CE at any outlier setting) planned once.
 */
import { trainingIdentity } from '../train/methods';
import { executorKindOf } from './executors/table';
import { fnv1a, stableStringify } from './json';
import type { CellPlan, ExperimentSpec, RunConfig, Scalar, ScaleName } from './types';

/** The Cartesian product of the axes, in axis order (the first axis varies slowest). */
export function gridPoints(grid: Readonly<Record<string, readonly Scalar[]>>): RunConfig[] {
  let points: RunConfig[] = [{}];
  for (const [axis, values] of Object.entries(grid)) {
    if (values.length === 0) throw new Error(`Grid axis "${axis}" has no values.`);
    const next: RunConfig[] = [];
    for (const p of points) for (const v of values) next.push({ ...p, [axis]: v });
    points = next;
  }
  return points;
}

/** The config every cell starts from: base, then the scale's overrides. */
export function scaledBase(spec: ExperimentSpec, scale: ScaleName | 'custom'): RunConfig {
  if (scale === 'custom') return { ...spec.base };
  const s = spec.scales[scale];
  if (!s) throw new Error(`Experiment "${spec.id}" has no "${scale}" scale (it has ${scaleList(spec)}).`);
  return { ...spec.base, ...s.overrides };
}

function scaleList(spec: ExperimentSpec): string {
  return Object.keys(spec.scales).join(', ') || 'none';
}

/**
 * Config keys that only matter when a method trains on outliers, per model kind (for cell sharing of CE).
 * Unknown keys are simply absent from a config and ignored.
 */
export const OUTLIER_ONLY_KEYS: readonly string[] = [
  'lambda',
  'sigma2',
  'outlierCount',
  'outlierBatchSize',
  'outliers',
  'nOutliers',
  'oeReduction',
];

/**
 * The key identifying a training: a hash of the canonical training identity (method table rules) plus the
 * model kind (for planned cells: the executor kind, e.g. `wrn-openset`). Two cells with equal keys train the
 * same model, so they are run once and share their rows.
 */
export function cellKeyOf(model: string, config: RunConfig): string {
  const identity = trainingIdentity(
    config as RunConfig & { method: string; epsilon: number },
    OUTLIER_ONLY_KEYS,
  );
  return `${model}-${fnv1a(stableStringify(identity))}`;
}

/**
 * Expand a spec at a scale into planned cells. Every grid point is served by exactly one cell; points whose
 * trainings are identical share one. Order: first appearance in the grid.
 * @param extraGrid axes to add or replace (e.g. `{ seed: [1, 2, 3] }` from the UI).
 */
export function planCells(
  spec: ExperimentSpec,
  scale: ScaleName | 'custom',
  extraGrid: Readonly<Record<string, readonly Scalar[]>> = {},
): CellPlan[] {
  const base = scaledBase(spec, scale);
  const grid = { ...spec.grid, ...extraGrid };
  for (const axis of Object.keys(grid)) {
    if (!(axis in base)) throw new Error(`Grid axis "${axis}" is not a key of ${spec.id}'s base config.`);
  }
  const byKey = new Map<string, CellPlan>();
  const seen = new Map<string, string>();
  for (const point of gridPoints(grid)) {
    const config = { ...base, ...point };
    const key = cellKeyOf(executorKindOf(spec) ?? spec.model, config);
    const identity = stableStringify(
      trainingIdentity(config as RunConfig & { method: string; epsilon: number }, OUTLIER_ONLY_KEYS),
    );
    const prior = seen.get(key);
    if (prior !== undefined && prior !== identity) throw new Error(`Cell key collision at ${key}.`);
    seen.set(key, identity);
    const plan = byKey.get(key);
    if (plan) plan.points.push(point);
    else byKey.set(key, { cellKey: key, config, points: [point] });
  }
  return [...byKey.values()];
}

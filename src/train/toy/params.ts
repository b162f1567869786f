/**
 * The toy landscape's settings: ONE schema table gives every key its type, default and range, and drives both the
 * defaults and URL state (as tensorflow/playground's state.ts does). Bump `TOY_SCHEMA_VERSION` when a key's
 * meaning changes; links with another version fall back to the defaults for the keys that changed.
 */
import { TOY_DATASET_KINDS, OUTLIER_SOURCES } from '../../data/toy2d';
import { MLP_ACTIVATIONS } from '../../models/mlp';
import { METHODS } from '../methods';

export const TOY_SCHEMA_VERSION = 2;

/** The toy trains with the same method table as the WideResNet (src/train/methods.ts). */
export { METHODS as TOY_METHODS, type Method as ToyMethod } from '../methods';
export const LIVE_MODES = ['continuous', 'retrain'] as const;

import {
  coerceValue,
  enumEntry,
  floatEntry,
  intEntry,
  mergeValues,
  schemaDefaults,
  valuesFromQuery,
  valuesToQuery,
  type SchemaValues,
  type StrSpec,
} from '../schema';

/** The schema: key → type, default, range/choices and a one-line meaning. */
export const TOY_SCHEMA = {
  dataset: enumEntry('blobs', [...TOY_DATASET_KINDS, 'custom'], 'ID dataset'),
  classes: intEntry(3, 1, 8, 'number of classes K'),
  size: intEntry(300, 20, 2000, 'number of ID training points'),
  noise: floatEntry(0.5, 0, 2, 'jitter std of the ID data (view units)'),
  seed: intEntry(1, 0, 2 ** 31 - 1, 'seed of data, outliers, weights, batches'),
  outliers: enumEntry('gmm', OUTLIER_SOURCES, 'training-outlier generator'),
  sigma2: floatEntry(64, 0.25, 100, 'variance inflation σ² of the outlier sampler'),
  nOutliers: intEntry(300, 10, 2000, 'number of training outliers'),
  view: floatEntry(6, 2, 20, 'half-width of the square view'),
  width: intEntry(64, 2, 256, 'hidden units per layer'),
  depth: intEntry(2, 0, 6, 'hidden layers'),
  activation: enumEntry('relu', MLP_ACTIVATIONS, 'activation'),
  method: enumEntry('AOE', METHODS, 'training method'),
  epsilon: floatEntry(0.5, 0, 2, 'perturbation size ε (view units)'),
  lambda: floatEntry(0.5, 0, 5, 'OE weight λ'),
  lr: floatEntry(0.02, 0.0001, 0.1, 'Adam learning rate'),
  wd: floatEntry(0, 0, 0.1, 'weight decay (coupled L2 on all parameters, added to the loss as wd/2·Σθ²)'),
  schedule: enumEntry(
    'cosine',
    ['constant', 'cosine'],
    'learning-rate schedule of a retrain (cosine: annealed to 0 over `steps`, as the paper)',
  ),
  pretrain: intEntry(
    0,
    0,
    5000,
    'steps of plain CE training that make the shared start (the paper fine-tunes a pre-trained model)',
  ),
  batch: intEntry(300, 8, 2000, 'ID and outlier batch size'),
  steps: intEntry(2000, 10, 5000, 'steps of a retrain / sweep run'),
  pgdSteps: intEntry(5, 1, 50, 'steps k of AOE-PGD'),
  live: enumEntry('retrain', LIVE_MODES, 'what the ε slider does'),
  grid: intEntry(100, 20, 200, 'landscape grid resolution'),
  toyBackend: enumEntry(
    'wasm',
    ['wasm', 'cpu', 'webgl', 'webgpu'],
    'engine of the toy worker: wasm = hand-written WebAssembly SIMD kernels (fast); cpu, webgl, webgpu = tfjs on that backend',
  ),
  showOutliers: intEntry(1, 0, 1, 'draw training outliers'),
  showArrows: intEntry(1, 0, 1, 'draw arrows x → x̂'),
  showTest: intEntry(0, 0, 1, 'draw held-out OOD test points'),
  pts: { type: 'string', default: '', help: 'user points "x,y,c;…" (clicks, CSV)' } as StrSpec,
} as const;

export type ToyKey = keyof typeof TOY_SCHEMA;
/** A full settings object (every key present). */
export type ToyParams = SchemaValues<typeof TOY_SCHEMA>;

/** Defaults, from the schema. */
export function defaultToyParams(): ToyParams {
  return schemaDefaults(TOY_SCHEMA);
}

/** Validate one value against its schema entry; returns the coerced value or undefined if invalid. */
export function coerceToyValue<K extends ToyKey>(key: K, raw: unknown): ToyParams[K] | undefined {
  return coerceValue(TOY_SCHEMA[key], raw) as ToyParams[K] | undefined;
}

/** Merge a partial update into params, ignoring unknown keys and invalid values (reported in `rejected`). */
export function mergeToyParams(
  base: ToyParams,
  partial: Partial<Record<string, unknown>>,
): { params: ToyParams; rejected: string[] } {
  const { values, rejected } = mergeValues(TOY_SCHEMA, base, partial);
  return { params: values, rejected };
}

/**
 * URL query entries: the schema version `tv` and EVERY key (so a link keeps reproducing its picture even if a
 * later version changes a default), except empty strings.
 */
export function toyParamsToQuery(p: ToyParams): Record<string, string> {
  return valuesToQuery(TOY_SCHEMA, p, 'tv', TOY_SCHEMA_VERSION);
}

/** Settings from URL query entries (missing or invalid keys take their defaults). */
export function toyParamsFromQuery(q: Record<string, string>): ToyParams {
  // Version 1 had no schedule (constant lr) and no pre-training: its links keep meaning what they meant.
  if (q.tv === '1') q = { schedule: 'constant', pretrain: '0', ...q };
  else if (q.tv !== undefined && Number(q.tv) !== TOY_SCHEMA_VERSION) return defaultToyParams();
  return valuesFromQuery(TOY_SCHEMA, q);
}

/** Keys whose change requires regenerating the data (and hence the models). */
export const DATA_KEYS: readonly ToyKey[] = [
  'dataset',
  'classes',
  'size',
  'noise',
  'seed',
  'outliers',
  'sigma2',
  'nOutliers',
  'view',
  'pts',
];
/** Keys whose change requires new initial weights (the pre-trained start depends on its training settings). */
export const MODEL_KEYS: readonly ToyKey[] = [
  'width',
  'depth',
  'activation',
  'pretrain',
  'lr',
  'wd',
  'batch',
];

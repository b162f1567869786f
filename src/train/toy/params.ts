/**
 * The toy landscape's settings: ONE schema table gives every key its type, default and range, and drives both the
 * defaults and URL state (as tensorflow/playground's state.ts does). Bump `TOY_SCHEMA_VERSION` when a key's
 * meaning changes; links with another version fall back to the defaults for the keys that changed.
 */
import { TOY_DATASET_KINDS, OUTLIER_SOURCES } from '../../data/toy2d';
import { MLP_ACTIVATIONS } from '../../models/mlp';
import { METHODS, type Method } from '../methods';

export const TOY_SCHEMA_VERSION = 2;

/** The toy trains with the same method table as the WideResNet (src/train/methods.ts). */
export { METHODS as TOY_METHODS, type Method as ToyMethod } from '../methods';
export const LIVE_MODES = ['continuous', 'retrain'] as const;

import {
  mergeValues,
  schemaDefaults,
  coerceValue,
  valuesFromQuery,
  valuesToQuery,
  type EnumSpec,
  type NumSpec,
  type SchemaValues,
  type StrSpec,
} from '../schema';

/** The schema: key → type, default, range/choices and a one-line meaning. */
export const TOY_SCHEMA = {
  dataset: {
    type: 'enum',
    default: 'blobs',
    values: [...TOY_DATASET_KINDS, 'custom'] as const,
    help: 'ID dataset',
  } as EnumSpec<'blobs' | 'moons' | 'rings' | 'spiral' | 'custom'>,
  classes: { type: 'int', default: 3, min: 1, max: 8, help: 'number of classes K' } as NumSpec,
  size: { type: 'int', default: 300, min: 20, max: 2000, help: 'number of ID training points' } as NumSpec,
  noise: {
    type: 'float',
    default: 0.5,
    min: 0,
    max: 2,
    help: 'jitter std of the ID data (view units)',
  } as NumSpec,
  seed: {
    type: 'int',
    default: 1,
    min: 0,
    max: 2 ** 31 - 1,
    help: 'seed of data, outliers, weights, batches',
  } as NumSpec,
  outliers: {
    type: 'enum',
    default: 'gmm',
    values: OUTLIER_SOURCES,
    help: 'training-outlier generator',
  } as EnumSpec<'gmm' | 'kde' | 'uniform'>,
  sigma2: {
    type: 'float',
    default: 64,
    min: 0.25,
    max: 100,
    help: 'variance inflation σ² of the outlier sampler',
  } as NumSpec,
  nOutliers: {
    type: 'int',
    default: 300,
    min: 10,
    max: 2000,
    help: 'number of training outliers',
  } as NumSpec,
  view: { type: 'float', default: 6, min: 2, max: 20, help: 'half-width of the square view' } as NumSpec,
  width: { type: 'int', default: 64, min: 2, max: 256, help: 'hidden units per layer' } as NumSpec,
  depth: { type: 'int', default: 2, min: 0, max: 6, help: 'hidden layers' } as NumSpec,
  activation: { type: 'enum', default: 'relu', values: MLP_ACTIVATIONS, help: 'activation' } as EnumSpec<
    'relu' | 'tanh' | 'elu'
  >,
  method: {
    type: 'enum',
    default: 'AOE',
    values: METHODS,
    help: 'training method',
  } as EnumSpec<Method>,
  epsilon: {
    type: 'float',
    default: 0.5,
    min: 0,
    max: 2,
    help: 'perturbation size ε (view units)',
  } as NumSpec,
  lambda: { type: 'float', default: 0.5, min: 0, max: 5, help: 'OE weight λ' } as NumSpec,
  lr: { type: 'float', default: 0.02, min: 0.0001, max: 0.1, help: 'Adam learning rate' } as NumSpec,
  wd: {
    type: 'float',
    default: 0,
    min: 0,
    max: 0.1,
    help: 'weight decay (coupled L2 on all parameters, added to the loss as wd/2·Σθ²)',
  } as NumSpec,
  schedule: {
    type: 'enum',
    default: 'cosine',
    values: ['constant', 'cosine'] as const,
    help: 'learning-rate schedule of a retrain (cosine: annealed to 0 over `steps`, as the paper)',
  } as EnumSpec<'constant' | 'cosine'>,
  pretrain: {
    type: 'int',
    default: 0,
    min: 0,
    max: 5000,
    help: 'steps of plain CE training that make the shared start (the paper fine-tunes a pre-trained model)',
  } as NumSpec,
  batch: { type: 'int', default: 300, min: 8, max: 2000, help: 'ID and outlier batch size' } as NumSpec,
  steps: {
    type: 'int',
    default: 2000,
    min: 10,
    max: 5000,
    help: 'steps of a retrain / sweep run',
  } as NumSpec,
  pgdSteps: { type: 'int', default: 5, min: 1, max: 50, help: 'steps k of AOE-PGD' } as NumSpec,
  live: { type: 'enum', default: 'retrain', values: LIVE_MODES, help: 'what the ε slider does' } as EnumSpec<
    'continuous' | 'retrain'
  >,
  grid: { type: 'int', default: 100, min: 20, max: 200, help: 'landscape grid resolution' } as NumSpec,
  toyBackend: {
    type: 'enum',
    default: 'wasm',
    values: ['wasm', 'cpu', 'webgl', 'webgpu'] as const,
    help: 'engine of the toy worker: wasm = hand-written WebAssembly SIMD kernels (fast); cpu, webgl, webgpu = tfjs on that backend',
  } as EnumSpec<'wasm' | 'cpu' | 'webgl' | 'webgpu'>,
  showOutliers: { type: 'int', default: 1, min: 0, max: 1, help: 'draw training outliers' } as NumSpec,
  showArrows: { type: 'int', default: 1, min: 0, max: 1, help: 'draw arrows x → x̂' } as NumSpec,
  showTest: { type: 'int', default: 0, min: 0, max: 1, help: 'draw held-out OOD test points' } as NumSpec,
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

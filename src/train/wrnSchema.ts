/**
 * The WideResNet run config as ONE schema table (type, default, range, unit, help, the paper's value): it drives
 * the training form, validation/coercion, the paper values shown beside each control, and URL state (`wv=1`).
 * Defaults are the browser default (`DEFAULT_CONFIG`); cross-field checks stay in `validateConfig`.
 */
import { DEFAULT_CONFIG, OUTLIER_SETTINGS, type ExperimentConfig } from './config';
import { METHODS } from './methods';
import { valuesFromQuery, valuesToQuery, mergeValues, type Schema, type SchemaValues } from './schema';
import { WRN_PRESETS } from '../models/wrnSpec';

export const WRN_SCHEMA_VERSION = 1;

const d = DEFAULT_CONFIG;
const int = (def: number, min: number, max: number, help: string, extra: object = {}) =>
  ({ type: 'int', default: def, min, max, help, ...extra }) as const;
const float = (def: number, min: number, max: number, help: string, extra: object = {}) =>
  ({ type: 'float', default: def, min, max, help, ...extra }) as const;

export const WRN_SCHEMA = {
  method: {
    type: 'enum',
    default: d.method,
    values: METHODS,
    help: 'training method',
    paper: { value: 'AOE (ours) vs CE, OE, OE + noise', source: 'Tables 1–2' },
  },
  setting: {
    type: 'enum',
    default: d.setting,
    values: OUTLIER_SETTINGS,
    help: "consistent: outliers normalised like ID data, ε in pixels; authors: the authors' code (raw outliers, ε in network-input units)",
    paper: { value: 'authors (as their code runs)', source: 'OOD_SPEC §5, §8' },
  },
  epsilon: float(
    d.epsilon,
    0,
    8,
    'perturbation size ε (AOE step / PGD radius; OE + noise: variance, or std in the code mode)',
    {
      unit: 'pixel (consistent) · network-input (authors)',
      paper: { value: '0.5', source: 'Sec. 5' },
    },
  ),
  lambda: float(d.lambda, 0, 10, 'weight λ of the outlier term', {
    paper: { value: '0.5', source: 'Sec. 5' },
  }),
  noiseMode: {
    type: 'enum',
    default: d.noiseMode,
    values: ['paper', 'code'] as const,
    help: "OE + noise: 'paper' i.i.d. N(0, ε) (Eq. 10), 'code' one ε·N(0, I) pattern per batch",
    paper: { value: 'paper: Eq. 10; code: shared pattern', source: 'Eq. 10 / code' },
  },
  pgdSteps: int(d.pgdSteps, 1, 200, 'AOE-PGD steps k', { paper: { value: '20', source: 'code' } }),
  pgdAlpha: float(d.pgdAlpha, 0, 1, 'AOE-PGD step size α (0 = 2.5·ε/k)', {
    unit: 'same as ε',
    paper: { value: '0.03', source: 'code' },
  }),
  epochs: int(d.epochs, 1, 200, 'fine-tuning epochs', { paper: { value: '10', source: 'Sec. 5' } }),
  subsetSize: int(d.subsetSize, 0, 1_000_000, 'use only the first N ID training images (0 = all)', {
    unit: 'images',
    paper: { value: '0 (all 50,000)', source: 'Sec. 5' },
  }),
  idBatchSize: int(d.idBatchSize, 1, 4096, 'ID images per step', {
    unit: 'images',
    paper: { value: '128', source: 'code config' },
  }),
  outlierBatchSize: int(d.outlierBatchSize, 1, 4096, 'training outliers per step', {
    unit: 'images',
    paper: { value: '128', source: 'code config' },
  }),
  lr: float(d.lr, 1e-7, 10, 'peak learning rate', {
    paper: { value: '5e-4 → 1e-6 cosine per step', source: 'Sec. 5 + code' },
  }),
  lrMin: float(d.lrMin, 0, 10, 'learning rate the cosine anneals to', {
    paper: { value: '1e-6', source: 'code' },
  }),
  warmupSteps: int(d.warmupSteps, 0, 100_000, 'linear warm-up steps before the cosine', {
    paper: { value: '0', source: 'code' },
  }),
  momentum: float(d.momentum, 0, 0.999, 'SGD momentum', {
    paper: { value: '0.9 Nesterov', source: 'Sec. 5' },
  }),
  nesterov: {
    type: 'bool',
    default: d.nesterov,
    help: 'Nesterov momentum',
    paper: { value: 'on', source: 'Sec. 5' },
  },
  weightDecay: float(d.weightDecay, 0, 1, 'coupled L2 weight decay', {
    paper: { value: '5e-4 (L2)', source: 'Sec. 5' },
  }),
  oeReduction: {
    type: 'enum',
    default: d.oeReduction,
    values: ['separate', 'whole-batch'] as const,
    help: "OE loss mean: 'separate' mean ID CE + λ·mean OOD (Eq. 4); 'whole-batch' over all 2B (the code)",
    paper: { value: 'separate (code: whole-batch)', source: 'Eq. 4' },
  },
  clamp: {
    type: 'bool',
    default: d.clamp,
    help: 'clamp perturbed outliers to [0, 1]',
    paper: { value: 'off', source: 'code' },
  },
  augment: {
    type: 'bool',
    default: d.augment,
    help: 'random crop (pad 4) and horizontal flip of ID images',
    paper: { value: 'on', source: 'code' },
  },
  seed: int(d.seed, 0, 2 ** 31 - 1, 'seed of batches, augmentation, dropout, noise and outliers'),
  backend: {
    type: 'enum',
    default: d.backend,
    values: ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const,
    help: 'tfjs backend of the compute worker',
  },
  model: {
    type: 'enum',
    default: d.model,
    values: Object.keys(WRN_PRESETS) as string[],
    help: 'WideResNet preset',
    paper: { value: 'WRN-40-2, dropout 0.3', source: 'Sec. 5 + code' },
  },
  dropRate: float(d.dropRate, 0, 0.95, 'dropout inside each block (training only)', {
    paper: { value: '0.3', source: 'code' },
  }),
  sigma2: float(d.sigma2, 0.01, 100, 'latent variance σ² the training outliers are sampled at', {
    unit: 'variance',
    paper: { value: '2', source: 'Sec. 5.1' },
  }),
  outlierCount: int(d.outlierCount, 0, 1_000_000, 'distinct training outliers (cycled, unshuffled)', {
    unit: 'images',
    paper: { value: '≈ 10,000 (code: 9,984)', source: 'Sec. 5.1 / code' },
  }),
  evalLimit: int(d.evalLimit, 0, 1_000_000, 'images per evaluated set (0 = all)', {
    unit: 'images',
    paper: { value: '0 (all)', source: 'Sec. 5' },
  }),
  fitLimit: int(d.fitLimit, 0, 1_000_000, 'ID training images fitted detectors see (0 = all)', {
    unit: 'images',
    paper: { value: '0 (all)', source: 'pytorch-ood' },
  }),
} as const satisfies Schema;

/** Compile-time check: the schema has exactly the config's keys. */
type SchemaConfig = SchemaValues<typeof WRN_SCHEMA>;
const keysMatch: [keyof SchemaConfig] extends [keyof ExperimentConfig]
  ? [keyof ExperimentConfig] extends [keyof SchemaConfig]
    ? true
    : false
  : false = true;
void keysMatch;

/** Merge a partial update (typed values or URL strings) into a config; invalid or unknown keys are named. */
export function mergeWrnConfig(
  base: ExperimentConfig,
  partial: Partial<Record<string, unknown>>,
): { config: ExperimentConfig; rejected: string[] } {
  const { values, rejected } = mergeValues(WRN_SCHEMA, base as unknown as SchemaConfig, partial);
  return { config: values as unknown as ExperimentConfig, rejected };
}

/** URL query entries of a config: `wv` and every key (prefixed `w.` so they never collide with the toy's). */
export function wrnConfigToQuery(c: ExperimentConfig): Record<string, string> {
  const q = valuesToQuery(WRN_SCHEMA, c as unknown as SchemaConfig, 'wv', WRN_SCHEMA_VERSION);
  const out: Record<string, string> = { wv: q.wv };
  for (const [k, v] of Object.entries(q)) if (k !== 'wv') out[`w.${k}`] = v;
  return out;
}

/** The config in URL query entries, or null when the URL has none (or another schema version). */
export function wrnConfigFromQuery(q: Readonly<Record<string, string>>): ExperimentConfig | null {
  if (q.wv === undefined || Number(q.wv) !== WRN_SCHEMA_VERSION) return null;
  const plain: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) if (k.startsWith('w.')) plain[k.slice(2)] = v;
  return valuesFromQuery(WRN_SCHEMA, plain) as unknown as ExperimentConfig;
}

/** The paper's value of a key, as shown beside its control ("paper: 0.5 (Sec. 5)"), or null. */
export function paperValueOf(key: keyof ExperimentConfig): { value: string; source: string } | null {
  const e = WRN_SCHEMA[key] as { paper?: { value: string; source: string } };
  return e.paper ?? null;
}

/**
 * The WideResNet run config as ONE schema table (type, default, range, unit, help, the paper's value): it drives
 * the training form, validation/coercion, the paper values shown beside each control, and URL state (`wv=1`).
 * Defaults are the browser default (`DEFAULT_CONFIG`); cross-field checks stay in `validateConfig`.
 */
import type { OeReduction } from '../core/losses';
import { BACKEND_PREFERENCE } from './backendChoice';
import {
  DEFAULT_CONFIG,
  OUTLIER_SETTINGS,
  type BackendChoice,
  type ExperimentConfig,
  type NoiseMode,
} from './config';
import { METHODS } from './methods';
import {
  boolEntry,
  enumEntry,
  floatEntry,
  intEntry,
  mergeValues,
  paper,
  unit,
  valuesFromQuery,
  valuesToQuery,
  type EntryExtra,
  type Schema,
  type SchemaValues,
} from './schema';
import { WRN_PRESETS } from '../models/wrnSpec';

export const WRN_SCHEMA_VERSION = 1;

const d = DEFAULT_CONFIG;
/** The choices of the config's union-typed keys, checked against their types. */
const NOISE_MODES = ['paper', 'code'] as const satisfies readonly NoiseMode[];
const OE_REDUCTIONS = ['separate', 'whole-batch'] as const satisfies readonly OeReduction[];
const BACKEND_CHOICES = ['auto', ...BACKEND_PREFERENCE] as const satisfies readonly BackendChoice[];
const images = unit('images');
/** A number of images, 0 to a million (0 = all, where the help says so). */
const imageCount = (def: number, help: string, ...extras: EntryExtra[]) =>
  intEntry(def, 0, 1_000_000, help, images, ...extras);

export const WRN_SCHEMA = {
  method: enumEntry(
    d.method,
    METHODS,
    'training method',
    paper('AOE (ours) vs CE, OE, OE + noise', 'Tables 1–2'),
  ),
  setting: enumEntry(
    d.setting,
    OUTLIER_SETTINGS,
    "consistent: outliers normalised like ID data, ε in pixels; authors: the authors' code (raw outliers, ε in network-input units)",
    paper('authors (as their code runs)', 'OOD_SPEC §5, §8'),
  ),
  epsilon: floatEntry(
    d.epsilon,
    0,
    8,
    'perturbation size ε (AOE step / PGD radius; OE + noise: variance, or std in the code mode)',
    unit('pixel (consistent) · network-input (authors)'),
    paper('0.5', 'Sec. 5'),
  ),
  lambda: floatEntry(d.lambda, 0, 10, 'weight λ of the outlier term', paper('0.5', 'Sec. 5')),
  noiseMode: enumEntry(
    d.noiseMode,
    NOISE_MODES,
    "OE + noise: 'paper' i.i.d. N(0, ε) (Eq. 10), 'code' one ε·N(0, I) pattern per batch",
    paper('paper: Eq. 10; code: shared pattern', 'Eq. 10 / code'),
  ),
  pgdSteps: intEntry(d.pgdSteps, 1, 200, 'AOE-PGD steps k', paper('20', 'code')),
  pgdAlpha: floatEntry(
    d.pgdAlpha,
    0,
    1,
    'AOE-PGD step size α (0 = 2.5·ε/k)',
    unit('same as ε'),
    paper('0.03', 'code'),
  ),
  epochs: intEntry(d.epochs, 1, 200, 'fine-tuning epochs', paper('10', 'Sec. 5')),
  subsetSize: imageCount(
    d.subsetSize,
    'use only the first N ID training images (0 = all)',
    paper('0 (all 50,000)', 'Sec. 5'),
  ),
  idBatchSize: intEntry(d.idBatchSize, 1, 4096, 'ID images per step', images, paper('128', 'code config')),
  outlierBatchSize: intEntry(
    d.outlierBatchSize,
    1,
    4096,
    'training outliers per step',
    images,
    paper('128', 'code config'),
  ),
  lr: floatEntry(d.lr, 1e-7, 10, 'peak learning rate', paper('5e-4 → 1e-6 cosine per step', 'Sec. 5 + code')),
  lrMin: floatEntry(d.lrMin, 0, 10, 'learning rate the cosine anneals to', paper('1e-6', 'code')),
  warmupSteps: intEntry(
    d.warmupSteps,
    0,
    100_000,
    'linear warm-up steps before the cosine',
    paper('0', 'code'),
  ),
  momentum: floatEntry(d.momentum, 0, 0.999, 'SGD momentum', paper('0.9 Nesterov', 'Sec. 5')),
  nesterov: boolEntry(d.nesterov, 'Nesterov momentum', paper('on', 'Sec. 5')),
  weightDecay: floatEntry(d.weightDecay, 0, 1, 'coupled L2 weight decay', paper('5e-4 (L2)', 'Sec. 5')),
  oeReduction: enumEntry(
    d.oeReduction,
    OE_REDUCTIONS,
    "OE loss mean: 'separate' mean ID CE + λ·mean OOD (Eq. 4); 'whole-batch' over all 2B (the code)",
    paper('separate (code: whole-batch)', 'Eq. 4'),
  ),
  clamp: boolEntry(d.clamp, 'clamp perturbed outliers to [0, 1]', paper('off', 'code')),
  augment: boolEntry(d.augment, 'random crop (pad 4) and horizontal flip of ID images', paper('on', 'code')),
  seed: intEntry(d.seed, 0, 2 ** 31 - 1, 'seed of batches, augmentation, dropout, noise and outliers'),
  backend: enumEntry(d.backend, BACKEND_CHOICES, 'tfjs backend of the compute worker'),
  model: enumEntry(
    d.model,
    Object.keys(WRN_PRESETS),
    'WideResNet preset',
    paper('WRN-40-2, dropout 0.3', 'Sec. 5 + code'),
  ),
  dropRate: floatEntry(
    d.dropRate,
    0,
    0.95,
    'dropout inside each block (training only)',
    paper('0.3', 'code'),
  ),
  sigma2: floatEntry(
    d.sigma2,
    0.01,
    100,
    'latent variance σ² the training outliers are sampled at',
    unit('variance'),
    paper('2', 'Sec. 5.1'),
  ),
  outlierCount: imageCount(
    d.outlierCount,
    'distinct training outliers (cycled, unshuffled)',
    paper('≈ 10,000 (code: 9,984)', 'Sec. 5.1 / code'),
  ),
  evalLimit: imageCount(d.evalLimit, 'images per evaluated set (0 = all)', paper('0 (all)', 'Sec. 5')),
  fitLimit: imageCount(
    d.fitLimit,
    'ID training images fitted detectors see (0 = all)',
    paper('0 (all)', 'pytorch-ood'),
  ),
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

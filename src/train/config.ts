import type { OeReduction } from '../core/losses';

import { METHODS, type Method, type NoiseMode } from './methods';

export { METHODS, usesOutliers, type Method, type NoiseMode } from './methods';

/** Compute backend the worker should use; 'auto' picks WebGPU → WebGL → WASM → CPU. */
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/**
 * A complete, plain (JSON-serialisable) description of one training run. Pixels are in [0,1]; ε is applied to
 * the outliers before normalisation, so it is in pixel units as in the paper.
 */
export interface ExperimentConfig {
  method: Method;
  /** Perturbation size ε (pixel units; for OE+noise 'paper' mode it is the noise variance). */
  epsilon: number;
  /** Weight λ of the outlier term. */
  lambda: number;
  noiseMode: NoiseMode;
  /** AOE-PGD: number of steps and step size α (pixel units); the ball radius is ε. */
  pgdSteps: number;
  pgdAlpha: number;
  epochs: number;
  /** Use only the first `subsetSize` ID training images (0 = all). */
  subsetSize: number;
  idBatchSize: number;
  outlierBatchSize: number;
  /** Peak learning rate and the floor the cosine schedule anneals to. */
  lr: number;
  lrMin: number;
  /** Linear warm-up steps before the cosine (0 = none, as the paper). */
  warmupSteps: number;
  momentum: number;
  nesterov: boolean;
  /** Coupled L2 weight decay on all trainable parameters (added to the gradient, as PyTorch SGD). */
  weightDecay: number;
  oeReduction: OeReduction;
  /** Clamp perturbed outliers to [0,1] (off in the paper's code). */
  clamp: boolean;
  /** Random crop (pad 4) + horizontal flip on ID images. */
  augment: boolean;
  seed: number;
  backend: BackendChoice;
  /** Model preset name, 'WRN-40-2' | 'WRN-16-2' | 'WRN-10-1'. */
  model: string;
  /** Dropout rate of the WRN (paper's model: 0.3). */
  dropRate: number;
  /**
   * Which of the two named settings the run follows (OOD_SPEC §5, §8): `'consistent'` (default: outliers
   * normalised like ID data, ε in pixel units) or `'authors'` (the authors' code: raw [0,1] outliers, ε in
   * network-input units, shared noise pattern, whole-batch OE mean).
   */
  setting: OutlierSetting;
  /** Latent variance σ² the training outliers are sampled at (PPCA here, BigGAN in the paper). */
  sigma2: number;
  /** Number of distinct training outliers (cycled, unshuffled, as the authors' code). */
  outlierCount: number;
  /** Evaluate on the first `evalLimit` images of the ID test set and of each OOD set (0 = all). */
  evalLimit: number;
  /** Fit Mahalanobis, ViM, KL-Matching, SHE and DICE on the first `fitLimit` ID training images (0 = all). */
  fitLimit: number;
}

/** The two named settings every WRN result is labelled with. */
export const OUTLIER_SETTINGS = ['consistent', 'authors'] as const;
export type OutlierSetting = (typeof OUTLIER_SETTINGS)[number];

/**
 * The paper's fine-tuning recipe (Sec. 5 and OOD_SPEC §5). Where paper and code differ we default to the
 * paper: OE reduction 'separate' (Eq. 4/5: mean ID CE + λ·mean OOD term; the code's pytorch-ood loss averages
 * over the whole 2B batch, i.e. half of it — selectable as 'whole-batch'), Gaussian noise per Eq. 10.
 */
export const PAPER_CONFIG: ExperimentConfig = {
  method: 'AOE',
  epsilon: 0.5,
  lambda: 0.5,
  noiseMode: 'paper',
  pgdSteps: 20,
  pgdAlpha: 0.03,
  epochs: 10,
  subsetSize: 0,
  idBatchSize: 128,
  outlierBatchSize: 128,
  lr: 5e-4,
  lrMin: 1e-6,
  warmupSteps: 0,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  oeReduction: 'separate',
  clamp: false,
  augment: true,
  seed: 1,
  backend: 'auto',
  model: 'WRN-40-2',
  dropRate: 0.3,
  setting: 'consistent',
  sigma2: 2,
  outlierCount: 10000,
  evalLimit: 0,
  fitLimit: 0,
};

/** Browser default: the paper's recipe on the smaller WRN-16-2 and a subset a laptop can finish. */
export const DEFAULT_CONFIG: ExperimentConfig = {
  ...PAPER_CONFIG,
  model: 'WRN-16-2',
  subsetSize: 5000,
  epochs: 2,
};

/**
 * CE pre-training from scratch (for users who want their own model): higher lr with warm-up and cosine,
 * as a standard WRN CIFAR recipe (lr 0.1, Nesterov 0.9, wd 5e-4). Not from the paper, which starts from
 * a pretrained model.
 */
export const PRETRAIN_CONFIG: ExperimentConfig = {
  ...DEFAULT_CONFIG,
  method: 'CE',
  epsilon: 0,
  lr: 0.1,
  lrMin: 1e-4,
  warmupSteps: 100,
  epochs: 10,
};

/** Check a config; returns a list of human-readable problems (empty when valid). */
export function validateConfig(c: ExperimentConfig): string[] {
  const errors: string[] = [];
  if (!METHODS.includes(c.method)) errors.push(`Unknown method "${c.method}".`);
  const positiveInt = ['epochs', 'idBatchSize'] as const;
  for (const k of positiveInt) {
    if (!Number.isInteger(c[k]) || c[k] < 1) errors.push(`${k} must be a positive integer.`);
  }
  if (c.method !== 'CE' && (!Number.isInteger(c.outlierBatchSize) || c.outlierBatchSize < 1))
    errors.push('outlierBatchSize must be a positive integer for outlier-exposure methods.');
  if (!Number.isInteger(c.subsetSize) || c.subsetSize < 0) errors.push('subsetSize must be ≥ 0 (0 = all).');
  if (!(c.epsilon >= 0)) errors.push('ε must be ≥ 0.');
  if (!(c.lambda >= 0)) errors.push('λ must be ≥ 0.');
  if (!(c.lr > 0) || !(c.lrMin >= 0) || c.lrMin > c.lr) errors.push('Need 0 ≤ lrMin ≤ lr and lr > 0.');
  if (!(c.momentum >= 0 && c.momentum < 1)) errors.push('Momentum must be in [0, 1).');
  if (!(c.weightDecay >= 0)) errors.push('Weight decay must be ≥ 0.');
  if (!Number.isInteger(c.warmupSteps) || c.warmupSteps < 0) errors.push('warmupSteps must be ≥ 0.');
  if (c.method === 'AOE-PGD' && (!Number.isInteger(c.pgdSteps) || c.pgdSteps < 1 || !(c.pgdAlpha > 0)))
    errors.push('AOE-PGD needs pgdSteps ≥ 1 and α > 0.');
  if (!(c.dropRate >= 0 && c.dropRate < 1)) errors.push('Dropout rate must be in [0, 1).');
  if (!OUTLIER_SETTINGS.includes(c.setting)) errors.push(`Unknown setting "${c.setting}".`);
  if (!(c.sigma2 > 0)) errors.push('σ² must be > 0.');
  for (const k of ['outlierCount', 'evalLimit', 'fitLimit'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) errors.push(`${k} must be an integer ≥ 0.`);
  }
  return errors;
}

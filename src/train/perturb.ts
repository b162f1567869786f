import type * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../core/model';
import { energyGradientStep, energyPgd, gaussianNoiseStep } from '../core/perturbations';
import type { Random } from '../core/random';
import { asLogitsFn } from '../models/wrn';
import type { ExperimentConfig } from './config';
import type { Method, NoiseMode } from './methods';

/** Options of {@link perturbWithMethod}; units are the stored input's (pixels for images, view units for the toy). */
export interface PerturbOptions {
  epsilon: number;
  random: Random;
  noiseMode?: NoiseMode;
  /** AOE-PGD iterations k. */
  pgdSteps?: number;
  /** AOE-PGD step α; 0 or absent = 2.5·ε/k (Madry et al.). */
  pgdAlpha?: number;
  /** Clamp perturbed outliers to [0, 1] (off in the paper's code). */
  clamp?: boolean;
  /** Stored input → model input (e.g. normalisation), applied inside the attack. */
  preprocess?: (t: tf.Tensor) => tf.Tensor;
}

/**
 * Perturb a batch of training outliers for `method`: CE/OE a copy; OE+noise Gaussian noise; AOE one signed step
 * down the energy (paper Eq. 7); AOE-PGD the iterative variant. ε = 0 returns x exactly for every method.
 * @param attack logits of the model the attack differentiates (the WRN in train mode without committing BN
 *   statistics, or the toy MLP). @param x [M, ...] outliers. @returns a new tensor of x's shape; leaks nothing.
 */
export function perturbWithMethod(
  method: Method,
  attack: LogitsFn,
  x: tf.Tensor,
  o: PerturbOptions,
): tf.Tensor {
  const clamp = o.clamp ? ([0, 1] as [number, number]) : null;
  switch (method) {
    case 'CE':
    case 'OE':
      return x.clone();
    case 'OE+noise':
      return gaussianNoiseStep(null, x, {
        epsilon: o.epsilon,
        random: o.random,
        mode: o.noiseMode === 'code' ? 'code-shared-std' : 'paper-variance-iid',
        clamp,
      });
    case 'AOE':
      return energyGradientStep(attack, x, { epsilon: o.epsilon, clamp, preprocess: o.preprocess });
    case 'AOE-PGD':
      return energyPgd(attack, x, {
        epsilon: o.epsilon,
        steps: o.pgdSteps ?? 5,
        stepSize: o.pgdAlpha ? o.pgdAlpha : undefined,
        random: o.random,
        clamp,
        preprocess: o.preprocess,
      });
  }
}

import type { TrainableClassifier } from './types';

/**
 * Perturb a batch of WRN training outliers for `config.method` through the shared method table. The attack
 * runs the model in TRAIN mode (batch-statistics BN, dropout active), like the paper's deep-copied model; the
 * pass's BN statistics are not collected and never committed, as the discarded copy in the authors' code.
 * @param x [M, H, W, C] outliers in [0,1] pixel units. @param preprocess pixel → model input (normalisation).
 * @returns a new [M, H, W, C] tensor in pixel units; the model's running statistics are not changed.
 */
export function perturbOutliers(
  model: TrainableClassifier,
  x: tf.Tensor4D,
  config: ExperimentConfig,
  rng: Random,
  preprocess: (t: tf.Tensor) => tf.Tensor,
): tf.Tensor4D {
  return perturbWithMethod(config.method, asLogitsFn(model, true, rng), x, {
    epsilon: config.epsilon,
    random: rng,
    noiseMode: config.noiseMode,
    pgdSteps: config.pgdSteps,
    pgdAlpha: config.pgdAlpha,
    clamp: config.clamp,
    preprocess,
  }) as tf.Tensor4D;
}

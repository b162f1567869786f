import type * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../core/random';
import { asLogitsFn } from '../models/wrn';
import type { ExperimentConfig } from './config';
import { perturbWithMethod } from './methods';
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

import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../core/model';
import { energyGradientStep, energyPgd, gaussianNoiseStep } from '../core/perturbations';
import type { Random } from '../core/random';
import type { ExperimentConfig } from './config';
import type { TrainableClassifier } from './types';

/**
 * The logits function the attacks run on: the model in TRAIN mode (batch-statistics BN, dropout active),
 * like the paper's deep-copied model. The pass's BN batch statistics are not even collected
 * (`collectStats: false`) and never committed, so the attack leaves the running statistics untouched, as
 * the discarded copy does in the authors' code.
 */
export function attackLogits(model: TrainableClassifier, rng: Random): LogitsFn {
  return (x) => model.forward(x as tf.Tensor4D, { training: true, rng, collectStats: false }).logits;
}

/**
 * Perturb a batch of training outliers for `config.method`. OE/CE: unchanged copy; OE+noise: Gaussian noise;
 * AOE: one signed energy-descent step (paper Eq. 7) on the train-mode model; AOE-PGD: the iterative variant.
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
  const clamp = config.clamp ? ([0, 1] as [number, number]) : null;
  switch (config.method) {
    case 'CE':
    case 'OE':
      return x.clone();
    case 'OE+noise':
      return gaussianNoiseStep(null, x, {
        epsilon: config.epsilon,
        random: rng,
        mode: config.noiseMode === 'paper' ? 'paper-variance-iid' : 'code-shared-std',
        clamp,
      }) as tf.Tensor4D;
    case 'AOE':
      return energyGradientStep(attackLogits(model, rng), x, {
        epsilon: config.epsilon,
        clamp,
        preprocess,
      }) as tf.Tensor4D;
    case 'AOE-PGD':
      return energyPgd(attackLogits(model, rng), x, {
        epsilon: config.epsilon,
        stepSize: config.pgdAlpha,
        steps: config.pgdSteps,
        random: rng,
        clamp,
        preprocess,
      }) as tf.Tensor4D;
  }
}

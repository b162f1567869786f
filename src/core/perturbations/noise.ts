import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model';
import type { Random } from '../random';
import { maybeClamp, type ClampRange } from './common';

/**
 * Which Gaussian-noise baseline (paper Eq. 10, x′ = x + δ):
 * - `'paper-variance-iid'` (default, the paper's text): δ ~ N(0, ε·I), i.e. variance ε (std √ε), drawn
 *   independently for every element of every image.
 * - `'code-shared-std'` (the authors' code, EPS_GAUSS): δ = ε·n with n ~ N(0, I) of ONE image's shape
 *   (H, W, C), drawn once per call and added to every image of the batch; std ε.
 */
export type GaussianNoiseMode = 'paper-variance-iid' | 'code-shared-std';

/** Options of the Gaussian-noise baseline. */
export interface GaussianNoiseOptions {
  /** ε: the variance of δ in `'paper-variance-iid'`, its standard deviation in `'code-shared-std'`. */
  epsilon: number;
  /** Seeded generator; the call consumes x.size (paper) or x.size / batch (code) normal draws. */
  random: Random;
  /** Default `'paper-variance-iid'`. */
  mode?: GaussianNoiseMode;
  /** Clamp the result to [lo, hi] (off by default). */
  clamp?: ClampRange;
}

/**
 * Gaussian-noise outlier augmentation, the paper's random baseline to AOE (Eq. 10). Takes a model only so
 * that every outlier perturbation has the same (model, x, options) signature; the model is not called.
 * @param x [M, ...] outliers (images NHWC in pixel units). @returns a new tensor of x's shape; leaks nothing.
 */
export function gaussianNoiseStep(
  _model: LogitsFn | null,
  x: tf.Tensor,
  options: GaussianNoiseOptions,
): tf.Tensor {
  const { epsilon, random, mode = 'paper-variance-iid', clamp = null } = options;
  if (!(epsilon >= 0)) throw new Error(`gaussianNoiseStep: epsilon must be ≥ 0, got ${epsilon}`);
  return tf.tidy(() => {
    if (epsilon === 0) return maybeClamp(x.clone(), clamp);
    if (mode === 'paper-variance-iid') {
      const delta = tf.tensor(random.normalArray(x.size, 0, Math.sqrt(epsilon)), x.shape, 'float32');
      return maybeClamp(tf.add(x, delta), clamp);
    }
    const perImage = x.shape.slice(1);
    const count = perImage.reduce((a, b) => a * b, 1);
    const delta = tf.tensor(random.normalArray(count, 0, epsilon), perImage, 'float32');
    return maybeClamp(tf.add(x, delta), clamp); // broadcasts the one pattern over the batch axis
  });
}

import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model';
import { identity, maybeClamp, meanEnergyOf, signExact, type ClampRange, type Preprocess } from './common';

/** Options of the AOE step. */
export interface EnergyGradientStepOptions {
  /** Step size ε in the input's units (pixels in [0,1] for images, before normalisation). */
  epsilon: number;
  /** Clamp the result to [lo, hi] (off by default, as the paper). */
  clamp?: ClampRange;
  /**
   * Maps the stored input to what the model eats (e.g. per-channel normalisation). The step is taken on the
   * stored input, so ε stays in pixel units. Default: identity.
   */
  preprocess?: Preprocess;
}

/**
 * The AOE perturbation (paper Eq. 7): one signed step *down* the energy gradient,
 * x̂ = x − ε·sign(∇ₓ mean_i E(x_i)), E = −logsumexp(f) at T = 1, which makes outliers look more like inliers
 * to the current model. ‖x̂ − x‖∞ = ε (Eq. 8) except where a gradient entry is exactly 0 (sign 0, no move).
 * @param model logits function (its mode — train/eval — is the caller's choice).
 * @param x [M, ...] outliers. @returns a new tensor of x's shape; leaks nothing.
 */
export function energyGradientStep(
  model: LogitsFn,
  x: tf.Tensor,
  options: EnergyGradientStepOptions,
): tf.Tensor {
  const { epsilon, clamp = null, preprocess = identity } = options;
  return tf.tidy(() => {
    if (epsilon === 0) return x.clone();
    const grad = tf.grad(meanEnergyOf(model, preprocess))(x);
    return maybeClamp(tf.sub(x, tf.mul(signExact(grad), epsilon)), clamp);
  });
}

import * as tf from '@tensorflow/tfjs-core';
import { energy } from './energy';
import type { LogitsFn } from './model';

/** Options of the AOE step. */
export interface EnergyGradientStepOptions {
  /** Step size ε in the input's units (pixels in [0,1] for images, before normalisation). */
  epsilon: number;
  /** Clamp the result to [lo, hi] (off by default, as the paper). */
  clamp?: [number, number] | null;
  /**
   * Maps the stored input to what the model eats (e.g. per-channel normalisation). The step is taken on the
   * stored input, so ε stays in pixel units. Default: identity.
   */
  preprocess?: (x: tf.Tensor) => tf.Tensor;
}

/**
 * The AOE perturbation (paper Eq. 7): one signed step *down* the energy gradient,
 * x̂ = x − ε·sign(∇ₓ mean_i E(x_i)), which makes outliers look more like inliers to the current model.
 * @param model logits function (its mode — train/eval — is the caller's choice).
 * @param x [M, ...] outliers. @returns a new tensor of x's shape; leaks nothing.
 */
export function energyGradientStep(
  model: LogitsFn,
  x: tf.Tensor,
  options: EnergyGradientStepOptions,
): tf.Tensor {
  const { epsilon, clamp = null, preprocess = (t: tf.Tensor) => t } = options;
  return tf.tidy(() => {
    if (epsilon === 0) return x.clone();
    const meanEnergy = (input: tf.Tensor) => tf.mean(energy(model(preprocess(input)))) as tf.Scalar;
    const grad = tf.grad(meanEnergy)(x);
    const stepped = tf.sub(x, tf.mul(tf.sign(grad), epsilon));
    return clamp ? tf.clipByValue(stepped, clamp[0], clamp[1]) : stepped;
  });
}

import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model';
import { signExact } from './common';

/** Options of ODIN's input pre-processing (pytorch-ood defaults: ε = 0.05, T = 1000; its examples: ε = 0.002). */
export interface OdinOptions {
  /** Step size ε, in the units of x (the model's normalised input in pytorch-ood). Default 0.05. */
  epsilon?: number;
  /** Temperature T > 0 used to pick ŷ and scale the logits in the loss. Default 1000. */
  temperature?: number;
  /**
   * Per-channel std of the input normalisation; the signed gradient of channel c is divided by normStd[c].
   * Channels are the LAST axis (NHWC), so its length must equal x.shape[last].
   */
  normStd?: readonly number[] | null;
}

/**
 * ODIN input pre-processing as pytorch-ood's `odin_preprocessing` (OOD_SPEC §1):
 * ŷ = argmax f(x)/T; L = nll_loss(f(x)/T, ŷ) = −mean_i f_ŷ(x_i)/T (on raw scaled logits, not log-softmax);
 * g = sign(∇ₓL), divided per channel by normStd if given; x̂ = x − ε·g. The step raises the predicted logit.
 * Scoring x̂ (pytorch-ood: −max softmax at T = 1) is the detector's job. Use an eval-mode model.
 * @param x [N, ...] inputs as the model eats them (images NHWC). @returns a new tensor of x's shape; leaks nothing.
 */
export function odinPreprocess(model: LogitsFn, x: tf.Tensor, options: OdinOptions = {}): tf.Tensor {
  const { epsilon = 0.05, temperature = 1000, normStd = null } = options;
  if (!(temperature > 0)) throw new Error(`odinPreprocess: temperature must be > 0, got ${temperature}`);
  const channels = x.shape[x.rank - 1];
  if (normStd && normStd.length !== channels) {
    throw new Error(`odinPreprocess: normStd has ${normStd.length} entries, input has ${channels} channels`);
  }
  return tf.tidy(() => {
    if (epsilon === 0) return x.clone();
    const logits = model(x);
    const target = tf.oneHot(tf.argMax(tf.div(logits, temperature), 1), logits.shape[1]);
    const loss = (input: tf.Tensor): tf.Scalar =>
      tf.neg(tf.mean(tf.sum(tf.mul(tf.div(model(input), temperature), target), 1))) as tf.Scalar;
    let g = signExact(tf.grad(loss)(x));
    if (normStd) g = tf.div(g, tf.tensor1d(Array.from(normStd), 'float32'));
    return tf.sub(x, tf.mul(g, epsilon));
  });
}

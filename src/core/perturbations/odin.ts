import * as tf from '@tensorflow/tfjs-core';
import { exactSign } from '../sign';
import type { LogitsFn } from '../model';

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
  /**
   * ŷ per row when the caller already has the clean logits (class indices, length N, and the class count C):
   * skips the clean forward pass. Must be argmax f(x)/T, first index on ties, as {@link odinPredicted} gives it.
   */
  predicted?: { index: ArrayLike<number>; numClasses: number } | null;
}

/**
 * ŷ of ODIN from clean logits [N, C] (row-major): argmax_c fp32(l_c / T), first index on ties — the same
 * division and tie-break tf.argMax(tf.div(logits, T)) performs, so passing it changes no perturbation.
 */
export function odinPredicted(
  logits: ArrayLike<number>,
  rows: number,
  cols: number,
  temperature = 1000,
): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    let bestV = Math.fround(logits[i * cols] / temperature);
    for (let c = 1; c < cols; c++) {
      const v = Math.fround(logits[i * cols + c] / temperature);
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * ODIN input pre-processing as pytorch-ood's `odin_preprocessing` (OOD_SPEC §1):
 * ŷ = argmax f(x)/T; L = nll_loss(f(x)/T, ŷ) = −mean_i f_ŷ(x_i)/T (on raw scaled logits, not log-softmax);
 * g = sign(∇ₓL), divided per channel by normStd if given; x̂ = x − ε·g. The step raises the predicted logit.
 * Scoring x̂ (pytorch-ood: −max softmax at T = 1) is the detector's job. Use an eval-mode model.
 * @param x [N, ...] inputs as the model eats them (images NHWC). @returns a new tensor of x's shape; leaks nothing.
 */
export function odinPreprocess(model: LogitsFn, x: tf.Tensor, options: OdinOptions = {}): tf.Tensor {
  const { epsilon = 0.05, temperature = 1000, normStd = null, predicted = null } = options;
  if (!(temperature > 0)) throw new Error(`odinPreprocess: temperature must be > 0, got ${temperature}`);
  const channels = x.shape[x.rank - 1];
  if (normStd && normStd.length !== channels) {
    throw new Error(`odinPreprocess: normStd has ${normStd.length} entries, input has ${channels} channels`);
  }
  return tf.tidy(() => {
    if (epsilon === 0) return x.clone();
    let target: tf.Tensor;
    if (predicted) {
      const { index, numClasses } = predicted;
      if (index.length !== x.shape[0])
        throw new Error(`odinPreprocess: ${index.length} predicted classes for ${x.shape[0]} inputs`);
      target = tf.oneHot(tf.tensor1d(Int32Array.from(index), 'int32'), numClasses);
    } else {
      const logits = model(x);
      target = tf.oneHot(tf.argMax(tf.div(logits, temperature), 1), logits.shape[1]);
    }
    const loss = (input: tf.Tensor): tf.Scalar =>
      tf.neg(tf.mean(tf.sum(tf.mul(tf.div(model(input), temperature), target), 1))) as tf.Scalar;
    let g = exactSign(tf.grad(loss)(x));
    if (normStd) g = tf.div(g, tf.tensor1d(Array.from(normStd), 'float32'));
    return tf.sub(x, tf.mul(g, epsilon));
  });
}

import * as tf from '@tensorflow/tfjs-core';

/** PyTorch's BatchNorm2d epsilon (the tfjs default 1e-3 would differ). */
export const BN_EPSILON = 1e-5;
/** PyTorch's BN momentum: running ← (1 − m)·running + m·batch. */
export const BN_MOMENTUM = 0.1;

/** The variables of one BatchNorm2d. */
export interface BatchNormParams {
  gamma: tf.Variable;
  beta: tf.Variable;
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

/**
 * Training-mode BN over NHWC: normalise with the batch's BIASED variance (÷n, n = N·H·W), as PyTorch does;
 * gradients flow through the batch mean and variance.
 * @param x [N, H, W, C]. @returns y [N, H, W, C] and, when `collect`, the kept batch mean and UNBIASED
 * variance (÷(n−1)) [C] for the running estimates (the caller owns them).
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  p: BatchNormParams,
  collect: boolean,
): { y: tf.Tensor4D; mean?: tf.Tensor1D; variance?: tf.Tensor1D } {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const scale = tf.mul(p.gamma, tf.rsqrt(tf.add(variance, BN_EPSILON)));
  const y = tf.add(tf.mul(tf.sub(x, mean), scale), p.beta) as tf.Tensor4D;
  if (!collect) return { y };
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  if (n < 2) throw new Error('BatchNorm in training mode needs more than one value per channel');
  const keptMean = tf.keep(mean.clone()) as tf.Tensor1D;
  const keptVar = tf.keep(tf.mul(variance, n / (n - 1))) as tf.Tensor1D;
  return { y, mean: keptMean, variance: keptVar };
}

/** Evaluation-mode BN with the running statistics: y = (x − μ_run)·γ/√(σ²_run + ε) + β. @param x [N,H,W,C]. */
export function batchNormEval(x: tf.Tensor4D, p: BatchNormParams): tf.Tensor4D {
  const scale = tf.mul(p.gamma, tf.rsqrt(tf.add(p.runningVar, BN_EPSILON)));
  const shift = tf.sub(p.beta, tf.mul(p.runningMean, scale));
  return tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
}

/** running ← (1 − m)·running + m·batch for mean and (unbiased) variance, in place. Does not dispose inputs. */
export function updateRunningStats(p: BatchNormParams, mean: tf.Tensor1D, variance: tf.Tensor1D): void {
  const [m, v] = tf.tidy(() => [
    tf.add(tf.mul(p.runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)),
    tf.add(tf.mul(p.runningVar, 1 - BN_MOMENTUM), tf.mul(variance, BN_MOMENTUM)),
  ]);
  p.runningMean.assign(m);
  p.runningVar.assign(v);
  m.dispose();
  v.dispose();
}

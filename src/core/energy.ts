import * as tf from '@tensorflow/tfjs-core';

/**
 * Free energy of a classifier's logits: E(x) = −T·logsumexp(f(x)/T), numerically stable (the max is
 * subtracted inside logsumexp). Low on in-distribution data; as an outlier score, higher = more OOD.
 * @param logits [N, C] logits f(x).
 * @param temperature T > 0 (default 1).
 * @returns [N] energies.
 */
export function energy(logits: tf.Tensor2D, temperature = 1): tf.Tensor1D {
  return tf.tidy(() => {
    if (temperature === 1) return tf.neg(tf.logSumExp(logits, 1)) as tf.Tensor1D;
    return tf.mul(tf.logSumExp(tf.div(logits, temperature), 1), -temperature) as tf.Tensor1D;
  });
}

import * as tf from '@tensorflow/tfjs-core';

/**
 * sign(x) ∈ {−1, 0, +1} elementwise, exact for every float: +1 where x > 0, −1 where x < 0, 0 at ±0 (and NaN),
 * as torch.sign. tfjs-backend-wasm 4.22's `Sign` kernel returns 0 for |x| below about 1e-6 (measured: sign of
 * −2.7e-10 and 1e-7 is 0 there, ±1 on the CPU backend), which silently drops most components of the tiny input
 * gradients that FGSM/AOE/ODIN steps take the sign of (ODIN's loss is divided by N·T). Comparisons are exact on
 * every backend. No gradient (use it on gradients, not inside a differentiated function).
 */
export function exactSign(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.cast(tf.greater(x, 0), x.dtype), tf.cast(tf.less(x, 0), x.dtype)));
}

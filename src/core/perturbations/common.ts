import * as tf from '@tensorflow/tfjs-core';
import { energy } from '../energy';
import type { LogitsFn } from '../model';

/** Inclusive pixel range [lo, hi] to clamp perturbed inputs to, or null for no clamp (the paper's default). */
export type ClampRange = [number, number] | null;

/** Maps the stored input to what the model eats (e.g. per-channel normalisation); identity by default. */
export type Preprocess = (x: tf.Tensor) => tf.Tensor;

export const identity: Preprocess = (x) => x;

/** Clamps to `clamp` if given, else returns `x` itself (call inside a tidy). */
export function maybeClamp(x: tf.Tensor, clamp: ClampRange | undefined): tf.Tensor {
  return clamp ? tf.clipByValue(x, clamp[0], clamp[1]) : x;
}

/**
 * x ↦ mean_i E(x_i) with E = −logsumexp(f(preprocess(x))) (T = 1), as a scalar function of the stored input;
 * differentiate it with `tf.grad`. Because samples do not interact in an eval-mode model, the gradient of the
 * mean has the same sign pattern as each sample's own ∇E(x_i) (only scaled by 1/M); a train-mode model with
 * batch-statistics BatchNorm couples the samples, as in the authors' code.
 */
export function meanEnergyOf(model: LogitsFn, preprocess: Preprocess): (x: tf.Tensor) => tf.Scalar {
  return (x) => tf.mean(energy(model(preprocess(x)))) as tf.Scalar;
}

/**
 * sign(x) ∈ {−1, 0, +1} exactly, on every backend: +1 where x > 0, −1 where x < 0, 0 only where x = 0.
 * tfjs-backend-wasm's `Sign` returns 0 for |x| below ≈ 1.2e−7 (float32 machine ε), and the gradients these
 * steps take the sign of are that small (ODIN: ∇ of mean_i f_ŷ/T with T = 1000 over a batch of 100 is ~1e−8
 * per pixel), so `tf.sign` there leaves most pixels unperturbed. Built from comparisons, which are exact.
 * Call inside a tidy.
 */
export function signExact(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.cast(tf.greater(x, 0), x.dtype), tf.cast(tf.less(x, 0), x.dtype));
}

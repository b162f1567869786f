import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model';
import { signStep } from './mahalanobis';

// LOCAL STAND-IN: src/core/perturbations.ts (core-perturb branch) exports an `odinPreprocess` with this exact name,
// signature and options. Once both are on main, delete this file and import it from '../perturbations' in odin.ts.

/** ODIN options (pytorch-ood defaults: eps 0.05, temperature 1000, no std division). */
export interface OdinOptions {
  /** Input step size ε (default 0.05; pytorch-ood's examples use 0.002 with the WRN std). */
  epsilon?: number;
  /** Temperature T of the preprocessing loss (default 1000). */
  temperature?: number;
  /** Per-channel std (last axis, NHWC) the gradient sign is divided by; default none. */
  normStd?: readonly number[] | null;
}

/**
 * ODIN's input preprocessing as pytorch-ood codes it (OOD_SPEC §1): ŷ = argmax f(x)/T;
 * L = nll_loss(f(x)/T, ŷ) = −mean_i f_ŷ(x_i)/T (NLL on the *raw scaled logits*, not log-softmax);
 * x̂ = x − eps·sign(∇ₓL) [÷ std_c per channel]. The step raises the predicted logit. −f_ŷ/T equals
 * −max_c f_c/T, whose gradient is exactly that of the predicted class's logit (ŷ is held fixed).
 * @param model logits function; use eval mode. @param x [N, ...] inputs.
 * Needs tfjs gradients registered (`import '@tensorflow/tfjs-core/dist/register_all_gradients'` at the entry).
 * @returns x̂ of x's shape; leaks no tensors.
 */
export function odinPreprocess(model: LogitsFn, x: tf.Tensor, options: OdinOptions = {}): tf.Tensor {
  const { epsilon = 0.05, temperature = 1000, normStd = null } = options;
  if (!(temperature > 0)) throw new Error(`ODIN: temperature must be positive, got ${temperature}`);
  return tf.tidy(() => {
    if (epsilon === 0) return x.clone();
    const loss = (input: tf.Tensor): tf.Scalar =>
      tf.neg(tf.mean(tf.max(tf.div(model(input), temperature), 1))) as tf.Scalar;
    const grad = tf.grad(loss)(x);
    return signStep(x, grad, epsilon, normStd);
  });
}

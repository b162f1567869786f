import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, uniformCrossEntropyPerSample } from '../losses';
import type { LogitsFn } from '../model';
import { identity, maybeClamp, signExact, type ClampRange, type Preprocess } from './common';

/**
 * What the test-time FGSM adversary ascends (robustness figure, paper §5.5 / Fig. 6):
 * - `'paper-oe'` (default): the OE loss of the outliers, mean_i [logsumexp f(x_i) − mean_c f_c(x_i)] — the
 *   cross-entropy to the uniform posterior that OE training minimises. Ascending it makes the posterior
 *   peaked ("incentivizes OOD samples to receive high maximum softmax values", §5.5). Note: Eq. 5 as printed
 *   is the negative of this (mean_c f − logsumexp f ≤ 0); maximising the printed expression would *flatten*
 *   the posterior, contradicting §5.5's stated intent, so we follow the text's intent.
 * - `'code-ce-class1'` (the authors' code, `calculate_ood_metrics(adversarial=True)`): ascend CE(f(x), c) with
 *   the fixed target c = `targetClass` (1) for every sample, i.e. push away from class 1. The code applies it
 *   to ID and OOD samples alike; callers decide which samples they pass.
 */
export type FgsmObjective = 'paper-oe' | 'code-ce-class1';

/** Options of the test-time FGSM adversary. */
export interface FgsmOutlierExposureOptions {
  /** Attack budget ε = ‖δ‖∞ (paper's Fig. 6 sweeps 0…1). */
  epsilon: number;
  /** Default `'paper-oe'`. */
  objective?: FgsmObjective;
  /** Target class of `'code-ce-class1'` (default 1). */
  targetClass?: number;
  /** Clamp the result to [lo, hi] (off by default, as the authors' code). */
  clamp?: ClampRange;
  /** As in `energyGradientStep`: ε stays in the stored input's units. */
  preprocess?: Preprocess;
}

/**
 * One-step FGSM *ascent*, x′ = x + ε·sign(∇ₓ mean_i L(f(x_i))), with L chosen by `objective`.
 * Run the model in eval mode (the authors do).
 * @param x [M, ...] inputs to attack. @returns a new tensor of x's shape; leaks nothing.
 */
export function fgsmOutlierExposure(
  model: LogitsFn,
  x: tf.Tensor,
  options: FgsmOutlierExposureOptions,
): tf.Tensor {
  const { epsilon, objective = 'paper-oe', targetClass = 1, clamp = null, preprocess = identity } = options;
  if (!Number.isInteger(targetClass) || targetClass < 0)
    throw new Error(`fgsm: bad target class ${targetClass}`);
  return tf.tidy(() => {
    if (epsilon === 0) return x.clone();
    // An exception thrown inside tf.grad leaks the taped tensors, so the class-count check is deferred.
    let numClasses = Infinity;
    const loss = (input: tf.Tensor): tf.Scalar => {
      const logits = model(preprocess(input));
      if (objective === 'paper-oe') return tf.mean(uniformCrossEntropyPerSample(logits)) as tf.Scalar;
      numClasses = logits.shape[1];
      return crossEntropy(logits, tf.fill([logits.shape[0]], targetClass, 'int32') as tf.Tensor1D);
    };
    const grad = tf.grad(loss)(x);
    if (targetClass >= numClasses && objective === 'code-ce-class1') {
      throw new Error(`fgsm: target class ${targetClass} ∉ [0, ${numClasses})`);
    }
    return maybeClamp(tf.add(x, tf.mul(signExact(grad), epsilon)), clamp);
  });
}

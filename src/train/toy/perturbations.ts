/**
 * LOCAL STAND-INS for the noise baseline and PGD that another engineer is adding to src/core/perturbations.ts.
 * Same semantics as the spec/brief; swap these imports for the core ones once they land on main.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../../core/random';
import { energy } from '../../core/energy';
import type { LogitsFn } from '../../core/model';

/**
 * Gaussian-noise baseline (the paper's default form): x̂ = x + ε·δ with δ ~ N(0, I) drawn i.i.d. per element
 * (per outlier and per coordinate), through the seeded `rng`.
 * @param x [M, ...] outliers. @returns a new tensor of x's shape.
 */
export function gaussianNoisePerturbation(
  x: tf.Tensor,
  options: { epsilon: number; rng: Random },
): tf.Tensor {
  const noise = options.rng.normalArray(x.size);
  return tf.tidy(() => tf.add(x, tf.mul(tf.tensor(noise, x.shape, 'float32'), options.epsilon)));
}

export interface EnergyPgdOptions {
  /** Radius ε of the L∞ ball around x. */
  epsilon: number;
  /** Number of steps k (≥ 1). */
  steps: number;
  /** Step size α (default 2.5·ε/k, Madry et al.'s rule). */
  stepSize?: number;
  /** Source of the uniform random start in the ball. */
  rng: Random;
}

/**
 * Multi-step AOE (AOE-PGD): start at x + U(−ε, ε), then k times x' ← Π_{‖x'−x‖∞≤ε}(x' − α·sign(∇ mean E(x'))),
 * i.e. descend the mean energy of the outliers and project back onto the ε-ball. No clamp.
 * @param x [M, ...] outliers. @returns a new tensor of x's shape; leaks nothing.
 */
export function energyPgd(model: LogitsFn, x: tf.Tensor, options: EnergyPgdOptions): tf.Tensor {
  const { epsilon, steps } = options;
  const alpha = options.stepSize ?? (2.5 * epsilon) / Math.max(1, steps);
  const start = options.rng.uniformArray(x.size, -epsilon, epsilon);
  return tf.tidy(() => {
    if (epsilon === 0) return x.clone();
    const meanEnergy = (input: tf.Tensor) => tf.mean(energy(model(input))) as tf.Scalar;
    const gradFn = tf.grad(meanEnergy);
    const lo = tf.sub(x, epsilon);
    const hi = tf.add(x, epsilon);
    let cur = tf.add(x, tf.tensor(start, x.shape, 'float32'));
    for (let s = 0; s < steps; s++) {
      const next = tf.tidy(() => {
        const stepped = tf.sub(cur, tf.mul(tf.sign(gradFn(cur)), alpha));
        return tf.minimum(tf.maximum(stepped, lo), hi);
      });
      cur.dispose();
      cur = next;
    }
    return cur;
  });
}

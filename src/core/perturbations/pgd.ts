import * as tf from '@tensorflow/tfjs-core';
import { exactSign } from '../sign';
import type { LogitsFn } from '../model';
import type { Random } from '../random';
import { identity, maybeClamp, meanEnergyOf, type ClampRange, type Preprocess } from './common';

/** Options of the energy PGD adversary. */
export interface EnergyPgdOptions {
  /** Radius ε of the L∞ ball around x, in the input's (pixel) units. */
  epsilon: number;
  /** Step size α per iteration (default 2.5·ε/k, Madry et al.'s rule; the authors' code: 0.03). */
  stepSize?: number;
  /** Number of iterations k (the authors' code: 20). */
  steps: number;
  /** Seeded generator for the random start (consumes x.size uniform draws when `randomStart`). */
  random: Random;
  /** Start at x + U(−ε, ε) (default true) instead of x. */
  randomStart?: boolean;
  /** Clamp every iterate (and the random start) to [lo, hi] after projecting; off by default. */
  clamp?: ClampRange;
  /** As in `energyGradientStep`: the attack runs on the stored input, so ε and α stay in pixel units. */
  preprocess?: Preprocess;
}

/**
 * Projected gradient descent on the energy — the iterative version of the AOE step, moving outliers towards
 * low energy (more ID-looking), the same direction as Eq. 7:
 * x⁰ = x + U(−ε, ε);  x^{t+1} = Π_{‖·−x‖∞≤ε}( x^t − α·sign(∇_{x^t} mean_i E(x^t_i)) ), then optional clamp.
 * The gradient is taken w.r.t. the current iterate x^t. (The authors' PGD differentiates the loss w.r.t. the
 * *inlier* batch instead — OOD_SPEC §5, discrepancy 6 — so its steps do not follow the outliers' own
 * gradient; we do not reproduce that bug. It also ascends the OE loss rather than descending the energy.)
 * With a clamp, the result lies in the ball ∩ [lo, hi] whenever x itself lies in [lo, hi].
 * @param x [M, ...] outliers. @returns a new tensor of x's shape; leaks nothing.
 */
export function energyPgd(model: LogitsFn, x: tf.Tensor, options: EnergyPgdOptions): tf.Tensor {
  const {
    epsilon,
    steps,
    stepSize = (2.5 * epsilon) / Math.max(1, steps),
    random,
    randomStart = true,
    clamp = null,
    preprocess = identity,
  } = options;
  if (!(epsilon >= 0) || !(stepSize >= 0) || !Number.isInteger(steps) || steps < 0) {
    throw new Error(
      `energyPgd: need ε ≥ 0, α ≥ 0 and an integer k ≥ 0 (got ${epsilon}, ${stepSize}, ${steps})`,
    );
  }
  if (epsilon === 0) return x.clone();
  const grad = tf.grad(meanEnergyOf(model, preprocess));
  return projectedSignIterations(
    x,
    epsilon,
    steps,
    (current) => tf.tidy(() => tf.sub(current, tf.mul(exactSign(grad(current)), stepSize))),
    { random: randomStart ? random : null, clamp },
  );
}

/**
 * The PGD loop shared by the energy PGD adversary and the test-time PGD attack: start at x (+ U(−ε, ε) drawn from
 * `random`, x.size draws, when given), then k times x^{t+1} = clamp(Π_{‖·−x‖∞≤ε}(step(x^t))). Projection and
 * clamp are comparisons only (exact); for x inside the clamp range the result is the projection onto the ball ∩
 * the range.
 * @param x [N, ...] inputs. @param epsilon ball radius (x's units). @param steps k ≥ 0.
 * @param step the unprojected next iterate from the current one (a new tensor; e.g. x − α·sign(∇E(x))).
 * @returns a new tensor of x's shape; leaks nothing (the iterates are disposed, also when `step` throws).
 */
export function projectedSignIterations(
  x: tf.Tensor,
  epsilon: number,
  steps: number,
  step: (current: tf.Tensor) => tf.Tensor,
  options: { random: Random | null; clamp?: ClampRange },
): tf.Tensor {
  const { random, clamp = null } = options;
  const lo = tf.sub(x, epsilon);
  const hi = tf.add(x, epsilon);
  let current = tf.tidy(() => {
    if (!random) return x.clone();
    const noise = tf.tensor(random.uniformArray(x.size, -epsilon, epsilon), x.shape, 'float32');
    return maybeClamp(tf.add(x, noise), clamp);
  });
  try {
    for (let t = 0; t < steps; t++) {
      const stepped = step(current);
      const next = tf.tidy(() => maybeClamp(tf.minimum(tf.maximum(stepped, lo), hi), clamp));
      stepped.dispose();
      current.dispose();
      current = next;
    }
  } catch (err) {
    current.dispose();
    throw err;
  } finally {
    lo.dispose();
    hi.dispose();
  }
  return current;
}

import * as tf from '@tensorflow/tfjs-core';
import { energy } from '../core/energy';
import type { LogitsFn } from '../core/model';
import { energyGradientStep } from '../core/perturbations';
import type { Random } from '../core/random';
import type { ExperimentConfig } from './config';
import type { TrainableClassifier } from './types';

/**
 * The logits function the attacks run on: the model in TRAIN mode (batch-statistics BN, dropout active),
 * like the paper's deep-copied model. The pass's BN batch statistics are not even collected
 * (`collectStats: false`) and never committed, so the attack leaves the running statistics untouched, as
 * the discarded copy does in the authors' code.
 */
export function attackLogits(model: TrainableClassifier, rng: Random): LogitsFn {
  return (x) => model.forward(x as tf.Tensor4D, { training: true, rng, collectStats: false }).logits;
}

/**
 * Multi-step energy descent in an ℓ∞ ball (AOE-PGD): start at x + U(−ε, ε), then `steps` times
 * x ← Π_{‖x−x₀‖∞≤ε}(x − α·sign(∇ₓ mean E(x))), optionally clamped to [0,1] after each step.
 * Local version until src/core/perturbations.ts offers one (flagged to the lead).
 * @param x [M, H, W, C] outliers in pixel units. @returns a new tensor; leaks nothing.
 */
export function energyPgdLocal(
  model: LogitsFn,
  x: tf.Tensor,
  o: {
    epsilon: number;
    alpha: number;
    steps: number;
    rng: Random;
    clamp: boolean;
    preprocess: (t: tf.Tensor) => tf.Tensor;
  },
): tf.Tensor {
  return tf.tidy(() => {
    const start = tf.tensor(o.rng.uniformArray(x.size, -o.epsilon, o.epsilon), x.shape);
    let cur = tf.add(x, start);
    if (o.clamp) cur = tf.clipByValue(cur, 0, 1);
    const lo = tf.sub(x, o.epsilon);
    const hi = tf.add(x, o.epsilon);
    const meanEnergy = (input: tf.Tensor) => tf.mean(energy(model(o.preprocess(input)))) as tf.Scalar;
    for (let k = 0; k < o.steps; k++) {
      const next = tf.tidy(() => {
        const g = tf.grad(meanEnergy)(cur);
        let n = tf.minimum(tf.maximum(tf.sub(cur, tf.mul(tf.sign(g), o.alpha)), lo), hi);
        if (o.clamp) n = tf.clipByValue(n, 0, 1);
        return n;
      });
      cur.dispose();
      cur = next;
    }
    return cur;
  });
}

/**
 * Gaussian-noise baseline (OE+noise). 'paper': x + δ, δ ~ N(0, ε) i.i.d. (Eq. 10, ε = variance);
 * 'code': x + ε·n with ONE n ~ N(0, I) of one image's shape shared by the batch (EPS_GAUSS).
 */
export function gaussianNoiseLocal(
  x: tf.Tensor,
  epsilon: number,
  mode: 'paper' | 'code',
  rng: Random,
  clamp: boolean,
): tf.Tensor {
  return tf.tidy(() => {
    let out: tf.Tensor;
    if (mode === 'paper') {
      out = tf.add(x, tf.tensor(rng.normalArray(x.size, 0, Math.sqrt(epsilon)), x.shape));
    } else {
      const one = tf.tensor(rng.normalArray(x.size / x.shape[0], 0, 1), [1, ...x.shape.slice(1)]);
      out = tf.add(x, tf.mul(one, epsilon));
    }
    return clamp ? tf.clipByValue(out, 0, 1) : out;
  });
}

/**
 * Perturb a batch of training outliers for `config.method`. OE/CE: unchanged copy; OE+noise: Gaussian noise;
 * AOE: one signed energy-descent step (paper Eq. 7) on the train-mode model; AOE-PGD: the iterative variant.
 * @param x [M, H, W, C] outliers in [0,1] pixel units. @param preprocess pixel → model input (normalisation).
 * @returns a new [M, H, W, C] tensor in pixel units; the model's running statistics are not changed.
 */
export function perturbOutliers(
  model: TrainableClassifier,
  x: tf.Tensor4D,
  config: ExperimentConfig,
  rng: Random,
  preprocess: (t: tf.Tensor) => tf.Tensor,
): tf.Tensor4D {
  const clamp = config.clamp ? ([0, 1] as [number, number]) : null;
  switch (config.method) {
    case 'CE':
    case 'OE':
      return x.clone();
    case 'OE+noise':
      return gaussianNoiseLocal(x, config.epsilon, config.noiseMode, rng, config.clamp) as tf.Tensor4D;
    case 'AOE':
      return energyGradientStep(attackLogits(model, rng), x, {
        epsilon: config.epsilon,
        clamp,
        preprocess,
      }) as tf.Tensor4D;
    case 'AOE-PGD':
      if (config.epsilon === 0) return x.clone();
      return energyPgdLocal(attackLogits(model, rng), x, {
        epsilon: config.epsilon,
        alpha: config.pgdAlpha,
        steps: config.pgdSteps,
        rng,
        clamp: config.clamp,
        preprocess,
      }) as tf.Tensor4D;
  }
}

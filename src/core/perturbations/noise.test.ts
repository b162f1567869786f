import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { leakedBy } from '../__fixtures__/torchFixture';
import { Random } from '../random';
import { gaussianNoiseStep } from '../perturbations';

/**
 * Statistical tolerances: every check allows 5 standard errors of the statistic for the sample size used
 * (mean of n draws with variance v: SE √(v/n); sample variance of n normal draws: SE v·√(2/(n−1))). With a
 * fixed seed the test is deterministic; 5 SE would be exceeded by chance with probability < 1e-6 per check,
 * while the confusions these tests target (std vs variance, shared vs i.i.d.) are off by factors ≥ 5.
 */
const K = 5;

function stats(a: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let ss = 0;
  for (let i = 0; i < a.length; i++) ss += (a[i] - mean) ** 2;
  return { mean, variance: ss / (a.length - 1) };
}

function noiseOf(x: tf.Tensor, out: tf.Tensor): Float32Array {
  return tf.tidy(() => tf.sub(out, x).dataSync() as Float32Array);
}

describe("gaussianNoiseStep 'paper-variance-iid' (default): δ ~ N(0, ε·I) per element", () => {
  const eps = 0.04; // variance 0.04, std 0.2 (std-vs-variance confusion would give variance 0.0016 or 0.2)
  const x = tf.zeros([32, 8, 8, 3]); // n = 6,144 draws
  const out = gaussianNoiseStep(null, x, { epsilon: eps, random: new Random(7) });
  const d = noiseOf(x, out);
  const n = d.length;
  afterAll(() => tf.dispose([x, out]));

  it('has mean 0 and variance ε', () => {
    const { mean, variance } = stats(d);
    expect(Math.abs(mean)).toBeLessThan(K * Math.sqrt(eps / n));
    expect(Math.abs(variance / eps - 1)).toBeLessThan(K * Math.sqrt(2 / (n - 1)));
  });

  it('is drawn independently per image: the spread around the batch-mean pattern is ε, not 0', () => {
    const [m, p] = [32, n / 32];
    let ss = 0;
    for (let j = 0; j < p; j++) {
      let mu = 0;
      for (let i = 0; i < m; i++) mu += d[i * p + j] / m;
      for (let i = 0; i < m; i++) ss += (d[i * p + j] - mu) ** 2;
    }
    const dof = (m - 1) * p; // 5,952
    expect(Math.abs(ss / dof / eps - 1)).toBeLessThan(K * Math.sqrt(2 / (dof - 1)));
  });

  it('adds the noise to x, is deterministic per seed and different across seeds', () => {
    const xs = tf.randomUniform([32, 8, 8, 3], 0, 1, 'float32', 3);
    const again = gaussianNoiseStep(null, xs, { epsilon: eps, random: new Random(7) });
    const again2 = gaussianNoiseStep(null, xs, { epsilon: eps, random: new Random(7) });
    const other = gaussianNoiseStep(null, xs, { epsilon: eps, random: new Random(8) });
    const dd = noiseOf(xs, again);
    for (let i = 0; i < n; i++) expect(Math.abs(dd[i] - d[i])).toBeLessThan(1e-6);
    expect(Array.from(again2.dataSync())).toEqual(Array.from(again.dataSync()));
    expect(Array.from(other.dataSync())).not.toEqual(Array.from(again.dataSync()));
    tf.dispose([xs, again, again2, other]);
  });

  it('clamps when asked, ε = 0 is the identity, and nothing leaks', () => {
    const clamped = gaussianNoiseStep(null, x, { epsilon: eps, random: new Random(7), clamp: [0, 1] });
    expect(Array.from(clamped.dataSync())).toEqual(Array.from(d).map((v) => Math.min(1, Math.max(0, v))));
    const zero = gaussianNoiseStep(null, x, { epsilon: 0, random: new Random(7) });
    expect(Array.from(zero.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([clamped, zero]);
    expect(leakedBy(() => gaussianNoiseStep(null, x, { epsilon: eps, random: new Random(1) }))).toBe(0);
    expect(() => gaussianNoiseStep(null, x, { epsilon: -1, random: new Random(1) })).toThrow();
  });
});

describe("gaussianNoiseStep 'code-shared-std': δ = ε·n, one (H,W,C) draw shared by the batch", () => {
  const eps = 0.2; // std 0.2, variance 0.04 (a variance reading would give 0.2)
  const x = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 5); // one pattern of p = 3,072 draws
  const out = gaussianNoiseStep(null, x, { epsilon: eps, random: new Random(11), mode: 'code-shared-std' });
  const d = noiseOf(x, out);
  const p = d.length / 3;
  afterAll(() => tf.dispose([x, out]));

  it('adds the same pattern to every image of the batch', () => {
    for (let i = 1; i < 3; i++) {
      for (let j = 0; j < p; j++) expect(Math.abs(d[i * p + j] - d[j])).toBeLessThan(1e-6);
    }
  });

  it('has mean 0 and standard deviation ε', () => {
    const { mean, variance } = stats(d.subarray(0, p));
    expect(Math.abs(mean)).toBeLessThan(K * Math.sqrt((eps * eps) / p));
    expect(Math.abs(variance / (eps * eps) - 1)).toBeLessThan(K * Math.sqrt(2 / (p - 1)));
  });

  it('draws a new pattern per call (per batch) and leaks nothing', () => {
    const rng = new Random(11);
    const a = gaussianNoiseStep(null, x, { epsilon: eps, random: rng, mode: 'code-shared-std' });
    const b = gaussianNoiseStep(null, x, { epsilon: eps, random: rng, mode: 'code-shared-std' });
    expect(Array.from(a.dataSync())).toEqual(Array.from(out.dataSync()));
    expect(Array.from(b.dataSync())).not.toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    const opts = { epsilon: eps, random: new Random(2), mode: 'code-shared-std' as const };
    expect(leakedBy(() => gaussianNoiseStep(null, x, opts))).toBe(0);
  });
});

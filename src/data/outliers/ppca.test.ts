import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random';
import type { ImageSet } from '../imageSet';
import { loadCifar10Fixture } from '../../../tests/fixtures/cifar10';
import { readFixture } from '../../../tests/helpers/fixtures';
import { PpcaGenerator, fitPpca, samplePpcaFloat } from './ppca';

/** Synthetic uint8 "images" 2×4×3 (D = 24) from a known low-rank Gaussian, so S has a clear top-3 subspace. */
function lowRankSet(n: number, seed: number): ImageSet {
  const rng = new Random(seed);
  const d = 24;
  const w = Array.from({ length: 3 }, (_, r) =>
    Array.from({ length: d }, () => rng.normal() * (40 - 10 * r)),
  );
  const images = new Uint8Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = [rng.normal(), rng.normal(), rng.normal()];
    for (let j = 0; j < d; j++) {
      const v = 128 + z[0] * w[0][j] * 0.3 + z[1] * w[1][j] * 0.3 + z[2] * w[2][j] * 0.3 + 6 * rng.normal();
      images[i * d + j] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return { name: 'low-rank', images, n, height: 2, width: 4, channels: 3, labels: null };
}

/** Plain reference: mean and full covariance S (1/N) of the set in [0,1] units. */
function covariance(set: ImageSet) {
  const d = set.height * set.width * set.channels;
  const mean = new Float64Array(d);
  for (let i = 0; i < set.n; i++) for (let j = 0; j < d; j++) mean[j] += set.images[i * d + j] / 255 / set.n;
  const s = new Float64Array(d * d);
  for (let i = 0; i < set.n; i++)
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++)
        s[a * d + b] +=
          ((set.images[i * d + a] / 255 - mean[a]) * (set.images[i * d + b] / 255 - mean[b])) / set.n;
  return { d, mean, s };
}

const matVec = (s: Float64Array, d: number, v: ArrayLike<number>) =>
  Array.from({ length: d }, (_, a) => {
    let t = 0;
    for (let b = 0; b < d; b++) t += s[a * d + b] * v[b];
    return t;
  });

describe('PPCA fit (Tipping & Bishop closed form)', () => {
  const set = lowRankSet(3000, 7);
  // Enough subspace iterations to converge to machine precision: this checks the closed form itself.
  const model = fitPpca(set, new Random(1), { components: 3, iterations: 12 });
  const { d, mean, s } = covariance(set);

  it('recovers the mean, the top-q eigenpairs of S and σ_n² = mean of the discarded eigenvalues', () => {
    for (let j = 0; j < d; j++) expect(model.mean[j]).toBeCloseTo(mean[j], 10);
    let trace = 0;
    for (let j = 0; j < d; j++) trace += s[j * d + j];
    expect(model.totalVariance).toBeCloseTo(trace, 10);
    for (let r = 0; r < 3; r++) {
      const u = model.components.subarray(r * d, (r + 1) * d);
      const su = matVec(s, d, u);
      // eigen-equation residual ‖S u − λ u‖ relative to λ
      const res = Math.hypot(...su.map((v, j) => v - model.eigenvalues[r] * u[j]));
      expect(res / model.eigenvalues[r]).toBeLessThan(1e-8);
      expect(Math.hypot(...u)).toBeCloseTo(1, 10);
    }
    // Top-q: the residual S − Σ λ u uᵀ has no eigenvalue above λ_q (power iteration, independent of the fit).
    const resid = Float64Array.from(s);
    for (let r = 0; r < 3; r++)
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++)
          resid[a * d + b] -=
            model.eigenvalues[r] * model.components[r * d + a] * model.components[r * d + b];
    let v = Array.from({ length: d }, (_, j) => Math.sin(j + 1));
    let top = 0;
    for (let it = 0; it < 500; it++) {
      const w = matVec(resid, d, v);
      top = Math.hypot(...w);
      v = w.map((x) => x / top);
    }
    expect(top).toBeLessThan(model.eigenvalues[2]);
    const expectedNoise = (trace - model.eigenvalues.reduce((a, b) => a + b, 0)) / (d - 3);
    expect(model.noiseVariance).toBeCloseTo(expectedNoise, 12);
    expect(top).toBeGreaterThanOrEqual(model.noiseVariance); // largest discarded ≥ their mean
  });

  it('the default 3 iterations already give the top eigenvalues to 1e-6 relative', () => {
    const quick = fitPpca(set, new Random(2), { components: 3 });
    for (let r = 0; r < 3; r++)
      expect(Math.abs(quick.eigenvalues[r] / model.eigenvalues[r] - 1)).toBeLessThan(1e-6);
    expect(Math.abs(quick.noiseVariance / model.noiseVariance - 1)).toBeLessThan(1e-6);
  });

  it('σ² = 1 reproduces the fitted statistics: mean μ, variance λ_r along u_r, total tr S', () => {
    const m = 20000;
    const x = samplePpcaFloat(model, m, 1, new Random(3));
    const sm = new Float64Array(d);
    for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) sm[j] += x[i * d + j] / m;
    for (let j = 0; j < d; j++) {
      const se = Math.sqrt(s[j * d + j] / m);
      expect(Math.abs(sm[j] - model.mean[j])).toBeLessThan(5 * se);
    }
    for (let r = 0; r < 3; r++) {
      let v = 0;
      for (let i = 0; i < m; i++) {
        let p = 0;
        for (let j = 0; j < d; j++) p += (x[i * d + j] - model.mean[j]) * model.components[r * d + j];
        v += (p * p) / m;
      }
      // relative standard error of a Gaussian variance estimate: sqrt(2/m) ≈ 1%; allow 5 SE
      expect(Math.abs(v / model.eigenvalues[r] - 1)).toBeLessThan(5 * Math.sqrt(2 / m));
    }
    let tot = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) tot += (x[i * d + j] - model.mean[j]) ** 2 / m;
    expect(Math.abs(tot / model.totalVariance - 1)).toBeLessThan(5 * Math.sqrt(2 / m));
  });

  it('total variance grows as σ²·Σ(λ_j − σ_n²) + D·σ_n² (noise unscaled), or σ²·tr S with scaleNoise', () => {
    const signal = model.eigenvalues.reduce((a, l) => a + l - model.noiseVariance, 0);
    const m = 8000;
    let prev = 0;
    for (const sigma2 of [0.5, 1, 2, 5]) {
      for (const scaleNoise of [false, true]) {
        const x = samplePpcaFloat(model, m, sigma2, new Random(11), { scaleNoise });
        let tot = 0;
        for (let i = 0; i < m; i++)
          for (let j = 0; j < d; j++) tot += (x[i * d + j] - model.mean[j]) ** 2 / m;
        const expected = scaleNoise
          ? sigma2 * model.totalVariance
          : sigma2 * signal + d * model.noiseVariance;
        expect(Math.abs(tot / expected - 1)).toBeLessThan(5 * Math.sqrt(2 / m));
        if (!scaleNoise) {
          expect(tot).toBeGreaterThan(prev);
          prev = tot;
        }
      }
    }
  });
});

describe('PPCA outliers from real CIFAR-10 (fixture slice)', () => {
  const id = loadCifar10Fixture('train');
  const model = fitPpca(id, new Random(5), { components: 16, iterations: 2 });
  const gen = new PpcaGenerator(model);

  it('uint8 samples: variance grows with σ² = 1, 2, 5; σ² = 1 is close to the ID pixel statistics', () => {
    const pixelVar = (set: ImageSet) => {
      const d = 3072;
      const mu = new Float64Array(d);
      for (let i = 0; i < set.n; i++) for (let j = 0; j < d; j++) mu[j] += set.images[i * d + j] / set.n;
      let v = 0;
      for (let i = 0; i < set.n; i++) for (let j = 0; j < d; j++) v += (set.images[i * d + j] - mu[j]) ** 2;
      return { mu, v: v / set.n };
    };
    const vars = [1, 2, 5].map((s2) => pixelVar(gen.sample(600, s2, new Random(9))).v);
    expect(vars[1]).toBeGreaterThan(vars[0]);
    expect(vars[2]).toBeGreaterThan(vars[1]);
    const idStats = pixelVar(id);
    const one = pixelVar(gen.sample(1000, 1, new Random(10)));
    // at σ² = 1 clipping to [0,255] removes little: total variance within 10% of the ID images' (255² · tr S)
    expect(Math.abs(idStats.v / (255 * 255 * model.totalVariance) - 1)).toBeLessThan(1e-9);
    expect(one.v / idStats.v).toBeGreaterThan(0.9);
    expect(one.v / idStats.v).toBeLessThan(1.02);
  });

  it('is deterministic for a seed and has the right shape', () => {
    const a = gen.sample(5, 2, new Random(1));
    const b = gen.sample(5, 2, new Random(1));
    expect(a.images.length).toBe(5 * 3072);
    expect(Buffer.from(a.images).equals(Buffer.from(b.images))).toBe(true);
    expect(Buffer.from(gen.sample(5, 2, new Random(2)).images).equals(Buffer.from(a.images))).toBe(false);
  });
});

describe('PPCA against scikit-learn on the real CIFAR-10 slice', () => {
  it('top-16 eigenvalues, σ_n², tr S, mean and first direction match sklearn PCA (exact SVD)', () => {
    const ref = JSON.parse(new TextDecoder().decode(readFixture('ppca/cifar-train1000-q16.json'))) as {
      eigenvalues: number[];
      noiseVariance: number;
      totalVariance: number;
      mean: number[];
      firstComponentHead: number[];
    };
    const model = fitPpca(loadCifar10Fixture('train'), new Random(3), { components: 16, iterations: 6 });
    expect(model.totalVariance).toBeCloseTo(ref.totalVariance, 8);
    ref.mean.forEach((m, j) => expect(model.mean[j]).toBeCloseTo(m, 10));
    // randomized subspace iteration vs exact SVD: well-separated top eigenvalues agree to 1e-6 relative,
    // the tail of the 16 (gaps of a few %) to 1e-3
    ref.eigenvalues.forEach((l, r) =>
      expect(Math.abs(model.eigenvalues[r] / l - 1)).toBeLessThan(r < 4 ? 1e-6 : 1e-3),
    );
    expect(Math.abs(model.noiseVariance / ref.noiseVariance - 1)).toBeLessThan(1e-4);
    // eigenvectors are defined up to sign
    const sign = Math.sign(model.components[0]) * Math.sign(ref.firstComponentHead[0]);
    ref.firstComponentHead.forEach((v, j) => expect(sign * model.components[j]).toBeCloseTo(v, 5));
  });
});

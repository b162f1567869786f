import type { Random } from '../../core/random';
import type { ImageSet } from '../imageSet';
import type { OutlierGenerator } from './generator';
import { symmetricEigen } from '../../core/linalg';
import { orthonormalizeRows } from './linalg';

/**
 * Probabilistic PCA (Tipping & Bishop 1999) of ID pixels, as a generative model for synthetic outliers.
 *
 * Pixels are modelled in [0, 1] units (uint8 / 255) as vectors of length D = H·W·C (NHWC order).
 * Model: x = W z + μ + ε, z ~ N(0, I_q), ε ~ N(0, σ_n²·I_D). The maximum-likelihood fit is closed-form:
 *   μ = sample mean; S = (1/N) Σ (x − μ)(x − μ)ᵀ with eigenvalues λ₁ ≥ … ≥ λ_D, eigenvectors U;
 *   σ_n² = (1/(D − q)) Σ_{j>q} λ_j = (tr S − Σ_{j≤q} λ_j)/(D − q);   W = U_q (Λ_q − σ_n² I)^{1/2}  (R = I).
 * tr S is exact (sum of pixel variances); the top-q eigenpairs come from randomized subspace iteration with
 * Rayleigh–Ritz (q + oversampling probe vectors, a few power iterations), so S (D×D) is never formed.
 */
export interface PpcaModel {
  /** Vector length H·W·C. */
  d: number;
  /** Latent dimension q. */
  q: number;
  height: number;
  width: number;
  channels: number;
  /** μ, length D, [0,1] pixel units. */
  mean: Float64Array;
  /** Principal directions U_q as rows, q×D (orthonormal). */
  components: Float64Array;
  /** λ₁ … λ_q, descending. */
  eigenvalues: Float64Array;
  /** σ_n², the ML isotropic noise variance (mean of the discarded eigenvalues). */
  noiseVariance: number;
  /** tr S, the total pixel variance of the fitted images. */
  totalVariance: number;
  /** Images used for the fit. */
  fitCount: number;
}

export interface PpcaFitOptions {
  /** Latent dimension q (default 32). */
  components?: number;
  /** Extra probe vectors for the randomized eigensolver (default 10). */
  oversample?: number;
  /** Power iterations (default 3). */
  iterations?: number;
  /** Called after each pass over the data with (pass, totalPasses). */
  onProgress?: (pass: number, total: number) => void;
  /** Checked between passes; returning true aborts with Error('cancelled'). */
  shouldStop?: () => boolean;
}

/**
 * Fits PPCA to images by the closed form above.
 * @param set uint8 images (any H×W×C; all of `set.n` are used — subsample before calling for speed).
 * @param rng seeds the random probe vectors.
 * Cost: (iterations + 1) passes of 2·N·D·(q + oversample) multiply-adds; memory O((q + oversample)·D).
 */
export function fitPpca(set: ImageSet, rng: Random, opts: PpcaFitOptions = {}): PpcaModel {
  const { n, images } = set;
  const d = set.height * set.width * set.channels;
  const q = Math.min(opts.components ?? 32, d - 1, n - 1);
  const k = Math.min(q + (opts.oversample ?? 10), d, n);
  const iters = opts.iterations ?? 3;
  const total = iters + 2;
  if (n < 2) throw new Error('fitPpca: need at least 2 images');

  // Pass 0: mean and per-pixel variance (tr S).
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0, o = i * d; j < d; j++) mean[j] += images[o + j];
  for (let j = 0; j < d; j++) mean[j] /= 255 * n;
  let trace = 0;
  const row = new Float64Array(d);
  const centred = (i: number) => {
    const o = i * d;
    for (let j = 0; j < d; j++) row[j] = images[o + j] / 255 - mean[j];
  };
  for (let i = 0; i < n; i++) {
    centred(i);
    for (let j = 0; j < d; j++) trace += row[j] * row[j];
  }
  trace /= n;
  opts.onProgress?.(1, total);

  /** Y = S·Qᵀ as rows (k×D): one pass, Y_r = (1/N) Σ_i (q_r · x_i) x_i. */
  const applyS = (qm: Float64Array): Float64Array => {
    const y = new Float64Array(k * d);
    const a = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      centred(i);
      for (let r = 0; r < k; r++) {
        let s = 0;
        const base = r * d;
        for (let j = 0; j < d; j++) s += qm[base + j] * row[j];
        a[r] = s;
      }
      for (let r = 0; r < k; r++) {
        const s = a[r];
        const base = r * d;
        for (let j = 0; j < d; j++) y[base + j] += s * row[j];
      }
    }
    for (let t = 0; t < y.length; t++) y[t] /= n;
    return y;
  };

  let qm: Float64Array = new Float64Array(k * d);
  for (let t = 0; t < qm.length; t++) qm[t] = rng.normal();
  orthonormalizeRows(qm, k, d);
  for (let it = 0; it < iters; it++) {
    if (opts.shouldStop?.()) throw new Error('cancelled');
    qm = applyS(qm);
    orthonormalizeRows(qm, k, d);
    opts.onProgress?.(2 + it, total);
  }
  if (opts.shouldStop?.()) throw new Error('cancelled');
  // Rayleigh–Ritz: B = Q S Qᵀ (k×k), B = V Λ Vᵀ, U = Vᵀ Q.
  const y = applyS(qm);
  const b = new Float64Array(k * k);
  for (let r = 0; r < k; r++)
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += qm[r * d + j] * y[c * d + j];
      b[r * k + c] = s;
    }
  for (let r = 0; r < k; r++)
    for (let c = r + 1; c < k; c++) b[r * k + c] = b[c * k + r] = 0.5 * (b[r * k + c] + b[c * k + r]);
  // Eigenvectors are the columns of eig.vectors (descending eigenvalues): component r = Σ_c V[c, r] · Q[c, :].
  const eig = symmetricEigen({ data: b, rows: k, cols: k });
  const components = new Float64Array(q * d);
  for (let r = 0; r < q; r++)
    for (let c = 0; c < k; c++) {
      const v = eig.vectors.data[c * k + r];
      for (let j = 0; j < d; j++) components[r * d + j] += v * qm[c * d + j];
    }
  const eigenvalues = eig.values.slice(0, q);
  const topSum = eigenvalues.reduce((s, v) => s + v, 0);
  const noiseVariance = Math.max(0, (trace - topSum) / (d - q));
  opts.onProgress?.(total, total);
  return {
    d,
    q,
    height: set.height,
    width: set.width,
    channels: set.channels,
    mean,
    components,
    eigenvalues,
    noiseVariance,
    totalVariance: trace,
    fitCount: n,
  };
}

/** How σ² enters the sampler. */
export interface PpcaSampleOptions {
  /**
   * Also scale the isotropic noise by σ² (sample from N(μ, σ²(WWᵀ + σ_n²I))). Default false: only the
   * latent is widened, as a GAN's latent would be (see {@link samplePpcaFloat}).
   */
  scaleNoise?: boolean;
}

/**
 * Draws PPCA samples in [0,1] pixel units before any clipping: x = μ + W z + ε with
 *   z ~ N(0, σ²·I_q)               (σ² = the latent variance, the paper's σ² knob),
 *   ε ~ N(0, σ_n²·I_D)             (the isotropic noise, NOT scaled by σ² unless opts.scaleNoise),
 * so Cov[x] = σ²·W Wᵀ + σ_n² I and the total variance is σ²·Σ_{j≤q}(λ_j − σ_n²) + D·σ_n²: linear and
 * increasing in σ², and at σ² = 1 exactly the fitted ID statistics (mean μ, variance λ_j along each principal
 * direction, σ_n² along every other direction, total tr S).
 * @returns float32 [count, D] (NHWC order per row).
 */
export function samplePpcaFloat(
  model: PpcaModel,
  count: number,
  sigma2: number,
  rng: Random,
  opts: PpcaSampleOptions = {},
): Float32Array {
  if (!(sigma2 >= 0)) throw new Error(`σ² must be ≥ 0, got ${sigma2}`);
  const { d, q, mean, components, eigenvalues, noiseVariance } = model;
  const scale = new Float64Array(q);
  for (let r = 0; r < q; r++) scale[r] = Math.sqrt(Math.max(eigenvalues[r] - noiseVariance, 0) * sigma2);
  const noiseStd = Math.sqrt(noiseVariance * (opts.scaleNoise ? sigma2 : 1));
  const out = new Float32Array(count * d);
  const x = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    x.set(mean);
    for (let r = 0; r < q; r++) {
      const c = scale[r] * rng.normal();
      const base = r * d;
      for (let j = 0; j < d; j++) x[j] += c * components[base + j];
    }
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = x[j] + noiseStd * rng.normal();
  }
  return out;
}

/** Float [0,1] pixels → uint8: ×255, round to nearest, clip to [0, 255]. */
export function quantizePixels(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(x[i] * 255)));
  return out;
}

/** The PPCA generator behind the {@link OutlierGenerator} interface: samples are clipped and quantised to uint8. */
export class PpcaGenerator implements OutlierGenerator {
  constructor(
    readonly model: PpcaModel,
    readonly sampleOptions: PpcaSampleOptions = {},
  ) {}

  get name(): string {
    return `PPCA q=${this.model.q}`;
  }

  sample(count: number, sigma2: number, rng: Random): ImageSet {
    const m = this.model;
    return {
      name: `PPCA outliers σ²=${sigma2}`,
      images: quantizePixels(samplePpcaFloat(m, count, sigma2, rng, this.sampleOptions)),
      n: count,
      height: m.height,
      width: m.width,
      channels: m.channels,
      labels: null,
      source: `PPCA (q=${m.q}) fitted to ${m.fitCount} ID images`,
    };
  }
}

/** A seeded subset of `count` images of a set (for fitting on part of the data). */
export function subsetImages(set: ImageSet, count: number, rng: Random): ImageSet {
  if (count >= set.n) return set;
  const perm = rng.permutation(set.n);
  const b = set.height * set.width * set.channels;
  const images = new Uint8Array(count * b);
  for (let i = 0; i < count; i++) images.set(set.images.subarray(perm[i] * b, (perm[i] + 1) * b), i * b);
  return { ...set, n: count, images, labels: null, coarseLabels: undefined };
}

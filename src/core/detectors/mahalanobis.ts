import * as tf from '@tensorflow/tfjs-core';
import { exactSign } from '../sign';
import { cholesky, lowerTriangularInverse, matmul, transpose, type Matrix64 } from '../linalg';
import { fitLabels, need, row } from './types';
import type { Detector, DetectorFitData, DetectorInput, Matrix } from './types';

/** Maps model inputs [N, ...] to penultimate features [N, D], differentiably. */
export type FeaturesFn = (x: tf.Tensor) => tf.Tensor2D;

/** `visit(z_i, y_i)` for each row z_i of `z` whose label y_i is ≥ 0 (a negative label leaves a sample out). */
function forEachLabelled(
  z: Matrix,
  labels: ArrayLike<number>,
  visit: (zi: Float32Array | Float64Array, y: number) => void,
): void {
  for (let i = 0; i < z.rows; i++) if (labels[i] >= 0) visit(row(z, i), labels[i]);
}

/**
 * Mahalanobis distance to the nearest class mean (pytorch-ood `mahalanobis.py`, single layer, no ensemble).
 * fit (features + labels, all classes 0..K−1 present): μ_k = class means;
 * Σ = Σ_k Σ_{i∈k} (z_i − μ_k)(z_i − μ_k)ᵀ / (N − 1) + 1e-6·I (the /(N−1) of v0.2.0); P = Σ⁻¹.
 * score = ½·min_k (z − μ_k)ᵀ P (z − μ_k)  (= −max_k(−½ d_k)).
 * `score({features})` is pytorch-ood's `predict_features` (no input preprocessing). For the eps > 0 input
 * preprocessing use {@link mahalanobisPreprocess} on the inputs first and score the features of the result.
 * Numerics: P is applied as P = TᵀT with T = L⁻¹ (Σ = LLᵀ, Cholesky), so d_k = ‖T(z − μ_k)‖², which is
 * mathematically the same and avoids forming the quadratic form's cancellations.
 */
export class Mahalanobis implements Detector {
  readonly name = 'Mahalanobis';
  readonly needs = ['features'] as const;
  readonly fitNeeds = ['features', 'labels'] as const;
  /** Class means K×D, whitening T = L⁻¹ (D×D), and whitened means T·μ_k (K×D), after fit. */
  means: Matrix64 | null = null;
  whitening: Matrix64 | null = null;
  private whitenedMeans: Matrix64 | null = null;

  constructor(readonly ridge = 1e-6) {}

  /** P = Σ⁻¹ (D×D), computed from the whitening on demand. */
  get precision(): Matrix64 {
    if (!this.whitening) throw new Error('Mahalanobis: call fit() first');
    return matmul(transpose(this.whitening), this.whitening);
  }

  fit(data: DetectorFitData): void {
    const z = need(this.name, data.features, 'features');
    const labels = fitLabels(this.name, data.labels, z.rows);
    const d = z.cols;
    let k = 0;
    let n = 0;
    forEachLabelled(z, labels, (_, y) => {
      k = Math.max(k, y + 1);
      n++;
    });
    if (n < 2) throw new Error(`Mahalanobis: fit needs at least 2 ID samples, got ${n}`);
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    forEachLabelled(z, labels, (zi, y) => {
      for (let j = 0; j < d; j++) sums[y * d + j] += zi[j];
      counts[y]++;
    });
    counts.forEach((c, y) => {
      if (c === 0) throw new Error(`Mahalanobis: class ${y} has no samples (labels must cover 0..${k - 1})`);
    });
    for (let y = 0; y < k; y++) for (let j = 0; j < d; j++) sums[y * d + j] /= counts[y];
    const cov = new Float64Array(d * d);
    const diff = new Float64Array(d);
    forEachLabelled(z, labels, (zi, y) => {
      for (let j = 0; j < d; j++) diff[j] = zi[j] - sums[y * d + j];
      for (let a = 0; a < d; a++) {
        const da = diff[a];
        for (let b = 0; b <= a; b++) cov[a * d + b] += da * diff[b];
      }
    });
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        cov[a * d + b] = cov[a * d + b] / (n - 1) + (a === b ? this.ridge : 0);
        cov[b * d + a] = cov[a * d + b];
      }
    }
    this.means = { data: sums, rows: k, cols: d };
    this.whitening = lowerTriangularInverse(cholesky({ data: cov, rows: d, cols: d }));
    this.whitenedMeans = matmul(this.means, transpose(this.whitening));
  }

  /** All squared distances d_k, [N, K] row-major. */
  distances(features: DetectorInput['features']): Matrix64 {
    if (!this.whitening || !this.whitenedMeans) throw new Error('Mahalanobis: call fit() before score()');
    const z = need(this.name, features, 'features', this.whitening.cols);
    const w = matmul(z, transpose(this.whitening));
    const { rows: k, cols: d } = this.whitenedMeans;
    const out = new Float64Array(z.rows * k);
    for (let i = 0; i < z.rows; i++) {
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const e = w.data[i * d + j] - this.whitenedMeans.data[c * d + j];
          s += e * e;
        }
        out[i * k + c] = s;
      }
    }
    return { data: out, rows: z.rows, cols: k };
  }

  score(input: DetectorInput): Float32Array {
    const dist = this.distances(input.features);
    const out = new Float32Array(dist.rows);
    for (let i = 0; i < dist.rows; i++) out[i] = 0.5 * Math.min(...row(dist, i));
    return out;
  }
}

/** Options of the gradient-sign input preprocessing (Mahalanobis and ODIN). */
export interface InputPreprocessOptions {
  /** Step size ε (pytorch-ood's Mahalanobis default: 0.002). */
  epsilon: number;
  /** Per-channel std (last axis of NHWC inputs) the sign is divided by, or null (default). */
  normStd?: readonly number[] | null;
}

/** x − ε·sign(g) [÷ std per channel, last axis]; `g` is the gradient of the loss to *decrease*. Leaks nothing. */
export function signStep(
  x: tf.Tensor,
  grad: tf.Tensor,
  eps: number,
  normStd?: readonly number[] | null,
): tf.Tensor {
  return tf.tidy(() => {
    let g = exactSign(grad);
    if (normStd) {
      if (normStd.length !== x.shape[x.shape.length - 1]) {
        throw new Error(
          `normStd has ${normStd.length} entries, inputs have ${x.shape[x.shape.length - 1]} channels`,
        );
      }
      g = tf.div(g, tf.tensor1d(normStd as number[]));
    }
    return tf.sub(x, tf.mul(g, eps));
  });
}

/**
 * Mahalanobis input preprocessing (pytorch-ood, eps > 0): L = mean_i ½·min_k d_k(z(x_i)), whose gradient is that
 * of ½·d_k* with k* the nearest class; x̂ = x − eps·sign(∇ₓL) (÷ std per channel if given), moving x towards its
 * nearest class mean. Score the result with `detector.score({features: featuresOf(x̂)})`.
 * Needs tfjs gradients registered (`import '@tensorflow/tfjs-core/dist/register_all_gradients'` at the entry).
 * @param featuresFn differentiable inputs → features [N, D] (eval mode is the caller's choice).
 * @returns x̂, same shape as x; leaks no tensors.
 */
export function mahalanobisPreprocess(
  featuresFn: FeaturesFn,
  x: tf.Tensor,
  detector: Mahalanobis,
  options: InputPreprocessOptions,
): tf.Tensor {
  if (!detector.whitening || !detector.means) throw new Error('Mahalanobis: call fit() before preprocessing');
  const { whitening, means } = detector;
  return tf.tidy(() => {
    if (options.epsilon === 0) return x.clone();
    const t = tf.tensor2d(Float32Array.from(whitening.data), [whitening.rows, whitening.cols], 'float32');
    const mu = tf.tensor2d(Float32Array.from(means.data), [means.rows, means.cols], 'float32');
    const loss = (input: tf.Tensor): tf.Scalar => {
      const z = featuresFn(input); // [N, D]
      const diff = tf.sub(tf.expandDims(z, 1), tf.expandDims(mu, 0)); // [N, K, D]
      const w = tf.matMul(tf.reshape(diff, [-1, means.cols]), t, false, true); // rows · Tᵀ
      const d = tf.reshape(tf.sum(tf.square(w), 1), [z.shape[0], means.rows]); // [N, K]
      return tf.mean(tf.mul(tf.min(d, 1), 0.5)) as tf.Scalar;
    };
    const grad = tf.grad(loss)(x);
    return signStep(x, grad, options.epsilon, options.normStd);
  });
}

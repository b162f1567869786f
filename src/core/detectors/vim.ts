import { matmul, pinv, symmetricEigen, type Matrix, type Matrix64 } from '../linalg';
import { checkHead, linearRow, logSumExp, need, row } from './types';
import type { Detector, DetectorFitData, DetectorInput } from './types';

/**
 * Virtual-logit Matching (ViM), pytorch-ood `vim.py` (HEAD). Works on penultimate features z [N, D] with the
 * classifier head (W: C×D, b: C).
 * - u = −pinv(W)·b (the new origin).
 * - fit on ID features: if D < d then d = ⌊D/2⌋; Cov = (1/N)·Σ (z − u)(z − u)ᵀ (sklearn EmpiricalCovariance with
 *   assume_centered on z − u); eigen-decompose, eigenvalues descending; R = eigenvectors at ranks d … D−1, the
 *   **complement** of the top-d principal space (pytorch-ood calls it `principal_subspace`).
 * - r(z) = ‖(z − u)·R‖₂; α = mean_i max_c logit_ic / mean_i r(z_i) on the training data (unclipped logits).
 * - score = α·r(z) − logsumexp(clip(z·Wᵀ + b, −100, 100)).
 * d = D would leave an empty residual space (r ≡ 0) and throws.
 */
export class ViM implements Detector {
  readonly name = 'ViM';
  readonly needs = ['features'] as const;
  readonly fitNeeds = ['features'] as const;
  /** New origin u (length D). */
  readonly origin: Float64Array;
  /** Residual basis R, D×(D−d), after fit. */
  residual: Matrix64 | null = null;
  alpha = NaN;
  /** The d actually used (⌊D/2⌋ when D < requested d). */
  dim = NaN;

  constructor(
    readonly d: number,
    readonly weight: Matrix,
    readonly bias: ArrayLike<number>,
  ) {
    checkHead('ViM', weight, bias);
    if (!(Number.isInteger(d) && d >= 0)) throw new Error(`ViM: d must be a non-negative integer, got ${d}`);
    const p = pinv(weight); // D×C
    this.origin = new Float64Array(weight.cols);
    for (let j = 0; j < weight.cols; j++) {
      let s = 0;
      for (let c = 0; c < weight.rows; c++) s += p.data[j * weight.rows + c] * bias[c];
      this.origin[j] = -s;
    }
  }

  fit(data: DetectorFitData): void {
    const z = need(this.name, data.features, 'features', this.weight.cols);
    const dd = z.cols;
    const dim = dd < this.d ? Math.floor(dd / 2) : this.d;
    if (dim >= dd) throw new Error(`ViM: d = ${dim} leaves no residual space in ${dd} dimensions`);
    const keep: number[] = [];
    for (let i = 0; i < z.rows; i++) if (!data.labels || data.labels[i] >= 0) keep.push(i);
    if (keep.length === 0) throw new Error('ViM: fit got no ID samples');
    const cov = new Float64Array(dd * dd);
    const c = new Float64Array(dd);
    for (const i of keep) {
      const zi = row(z, i);
      for (let j = 0; j < dd; j++) c[j] = zi[j] - this.origin[j];
      for (let a = 0; a < dd; a++) for (let b = 0; b <= a; b++) cov[a * dd + b] += c[a] * c[b];
    }
    for (let a = 0; a < dd; a++) {
      for (let b = 0; b <= a; b++) {
        cov[a * dd + b] /= keep.length;
        cov[b * dd + a] = cov[a * dd + b];
      }
    }
    const { vectors } = symmetricEigen({ data: cov, rows: dd, cols: dd });
    const rc = dd - dim;
    const r = new Float64Array(dd * rc);
    for (let j = 0; j < dd; j++) for (let k = 0; k < rc; k++) r[j * rc + k] = vectors.data[j * dd + dim + k];
    this.residual = { data: r, rows: dd, cols: rc };
    this.dim = dim;
    const norms = this.residualNorms(z);
    const logits = new Float64Array(this.weight.rows);
    let sumMax = 0;
    let sumR = 0;
    for (const i of keep) {
      linearRow(row(z, i), this.weight, this.bias, logits);
      sumMax += Math.max(...logits);
      sumR += norms[i];
    }
    this.alpha = sumMax / keep.length / (sumR / keep.length);
  }

  /** r(z) = ‖(z − u)·R‖₂ per row. */
  residualNorms(z: Matrix): Float64Array {
    if (!this.residual) throw new Error('ViM: call fit() before score()');
    const centred = new Float64Array(z.data.length);
    for (let i = 0; i < z.rows; i++) {
      for (let j = 0; j < z.cols; j++) centred[i * z.cols + j] = z.data[i * z.cols + j] - this.origin[j];
    }
    const p = matmul({ data: centred, rows: z.rows, cols: z.cols }, this.residual);
    const out = new Float64Array(z.rows);
    for (let i = 0; i < z.rows; i++) {
      let s = 0;
      for (let k = 0; k < p.cols; k++) s += p.data[i * p.cols + k] ** 2;
      out[i] = Math.sqrt(s);
    }
    return out;
  }

  score(input: DetectorInput): Float32Array {
    if (!this.residual) throw new Error('ViM: call fit() before score()');
    const z = need(this.name, input.features, 'features', this.weight.cols);
    const r = this.residualNorms(z);
    const logits = new Float64Array(this.weight.rows);
    const out = new Float32Array(z.rows);
    for (let i = 0; i < z.rows; i++) {
      linearRow(row(z, i), this.weight, this.bias, logits);
      for (let c = 0; c < logits.length; c++) logits[c] = Math.min(100, Math.max(-100, logits[c]));
      out[i] = this.alpha * r[i] - logSumExp(logits);
    }
    return out;
  }
}

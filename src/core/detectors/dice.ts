import type { Matrix } from '../linalg';
import { checkHead, linearRow, logSumExp, need, row } from './types';
import type { Detector, DetectorFitData, DetectorInput } from './types';

/**
 * The q-th percentile (q on a 0–100 scale) with linear interpolation, exactly as numpy.percentile's default
 * ('linear': rank = q/100·(n−1), lerp between the neighbouring order statistics, numpy's two-sided lerp form).
 * @throws Error on empty input or q outside [0, 100].
 */
export function percentileLinear(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new Error('percentile: empty input');
  if (!(q >= 0 && q <= 100)) throw new Error(`percentile: q must lie in [0, 100], got ${q}`);
  const v = Float64Array.from(values).sort();
  const rank = (q / 100) * (v.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, v.length - 1);
  const t = rank - lo;
  const a = v[lo];
  const b = v[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * DICE (pytorch-ood `dice.py`): sparsify the last layer by each weight's mean contribution on ID data.
 * fit: m = mean ID feature; contrib = m[None, :]∘W (C×D); θ = percentile(contrib, p) over all C·D entries;
 * W′ = W where contrib > θ, else 0. score: −logsumexp(z·W′ᵀ + b) (energy, T = 1).
 * **p is on a 0–100 scale**: DICE's 90 % sparsity is p = 90 (pytorch-ood's example p = 0.65 masks 0.65 %).
 * Rows with a negative label are left out of the mean when labels are given.
 */
export class DICE implements Detector {
  readonly name = 'DICE';
  readonly needs = ['features'] as const;
  readonly fitNeeds = ['features'] as const;
  /** The sparsified W′ (C×D) after fit. */
  maskedWeight: Matrix | null = null;
  threshold = NaN;

  constructor(
    readonly weight: Matrix,
    readonly bias: ArrayLike<number>,
    readonly p: number,
  ) {
    checkHead('DICE', weight, bias);
    if (!(p >= 0 && p <= 100)) throw new Error(`DICE: p is a percentile on a 0–100 scale, got ${p}`);
  }

  fit(data: DetectorFitData): void {
    const z = need(this.name, data.features, 'features', this.weight.cols);
    const { rows: c, cols: d } = this.weight;
    const mean = new Float64Array(d);
    let n = 0;
    for (let i = 0; i < z.rows; i++) {
      if (data.labels && data.labels[i] < 0) continue;
      const zi = row(z, i);
      for (let j = 0; j < d; j++) mean[j] += zi[j];
      n++;
    }
    if (n === 0) throw new Error('DICE: fit got no ID samples');
    for (let j = 0; j < d; j++) mean[j] /= n;
    const contrib = new Float64Array(c * d);
    for (let k = 0; k < c; k++)
      for (let j = 0; j < d; j++) contrib[k * d + j] = mean[j] * this.weight.data[k * d + j];
    this.threshold = percentileLinear(contrib, this.p);
    const masked = new Float64Array(c * d);
    for (let e = 0; e < c * d; e++) masked[e] = contrib[e] > this.threshold ? this.weight.data[e] : 0;
    this.maskedWeight = { data: masked, rows: c, cols: d };
  }

  score(input: DetectorInput): Float32Array {
    if (!this.maskedWeight) throw new Error('DICE: call fit() before score()');
    const z = need(this.name, input.features, 'features', this.weight.cols);
    const out = new Float32Array(z.rows);
    const logits = new Float64Array(this.weight.rows);
    for (let i = 0; i < z.rows; i++)
      out[i] = -logSumExp(linearRow(row(z, i), this.maskedWeight, this.bias, logits));
    return out;
  }
}

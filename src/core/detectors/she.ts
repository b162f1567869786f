import type { Matrix } from '../linalg';
import { argMax, checkHead, fitLabels, linearRow, need, row } from './types';
import type { Detector, DetectorFitData, DetectorInput } from './types';

/**
 * Simplified Hopfield Energy (SHE), pytorch-ood `she.py`. Works on penultimate features z [N, D] with the
 * classifier head (W: C×D, b: C; logits = z·Wᵀ + b).
 * fit: keep the ID samples the head classifies correctly (argmax head(z) = y); S_k = mean z of those with class k.
 * All classes 0..K−1 must be present among the labels, and each must have a correct prediction (else throws).
 * score: −⟨z, S_ŷ⟩ with ŷ = argmax head(z).
 */
export class SHE implements Detector {
  readonly name = 'SHE';
  readonly needs = ['features'] as const;
  readonly fitNeeds = ['features', 'labels'] as const;
  /** S_k, K×D row-major, after fit. */
  patterns: Float64Array | null = null;
  private classes = 0;

  constructor(
    readonly weight: Matrix,
    readonly bias: ArrayLike<number>,
  ) {
    checkHead('SHE', weight, bias);
  }

  fit(data: DetectorFitData): void {
    const z = need(this.name, data.features, 'features', this.weight.cols);
    const labels = fitLabels(this.name, data.labels, z.rows, this.weight.rows);
    let k = 0;
    const present = new Set<number>();
    for (let i = 0; i < z.rows; i++) {
      if (labels[i] >= 0) {
        present.add(labels[i]);
        k = Math.max(k, labels[i] + 1);
      }
    }
    if (present.size === 0) throw new Error('SHE: fit got no ID samples (labels ≥ 0)');
    if (present.size !== k)
      throw new Error(`SHE: labels must cover all classes 0..${k - 1}, got ${present.size}`);
    const d = z.cols;
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    const logits = new Float64Array(this.weight.rows);
    for (let i = 0; i < z.rows; i++) {
      const y = labels[i];
      if (y < 0) continue;
      const zi = row(z, i);
      if (argMax(linearRow(zi, this.weight, this.bias, logits)) !== y) continue;
      for (let j = 0; j < d; j++) sums[y * d + j] += zi[j];
      counts[y]++;
    }
    counts.forEach((n, c) => {
      if (n === 0) throw new Error(`SHE: no correct predictions for class ${c}`);
    });
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) sums[c * d + j] /= counts[c];
    this.patterns = sums;
    this.classes = k;
  }

  score(input: DetectorInput): Float32Array {
    if (!this.patterns) throw new Error('SHE: call fit() before score()');
    const z = need(this.name, input.features, 'features', this.weight.cols);
    const d = z.cols;
    const out = new Float32Array(z.rows);
    const logits = new Float64Array(this.weight.rows);
    for (let i = 0; i < z.rows; i++) {
      const zi = row(z, i);
      const y = argMax(linearRow(zi, this.weight, this.bias, logits));
      if (y >= this.classes) throw new Error(`SHE: predicted class ${y} had no pattern when fitting`);
      let dot = 0;
      for (let j = 0; j < d; j++) dot += zi[j] * this.patterns[y * d + j];
      out[i] = -dot;
    }
    return out;
  }
}

import { argMax, fitLabels, logSumExp, need, row, type Detector, type DetectorFitData } from './types';
import type { DetectorInput } from './types';

function checkT(name: string, t: number): void {
  if (!(Number.isFinite(t) && t > 0)) throw new Error(`${name}: temperature must be positive, got ${t}`);
}

/**
 * Per-sample scores [N] of a logit detector: `rowScore` of each row of logits [N, C] divided by `t` (float64, in a
 * buffer reused from row to row).
 */
function scoreScaledRows(
  name: string,
  input: DetectorInput,
  t: number,
  rowScore: (scaled: Float64Array) => number,
): Float32Array {
  const f = need(name, input.logits, 'logits');
  const out = new Float32Array(f.rows);
  const buf = new Float64Array(f.cols);
  for (let i = 0; i < f.rows; i++) {
    const v = row(f, i);
    for (let c = 0; c < v.length; c++) buf[c] = v[c] / t;
    out[i] = rowScore(buf);
  }
  return out;
}

/** A logit detector whose score of a sample is `rowScore` of its logits divided by a temperature T > 0. */
abstract class TemperatureScaledLogits implements Detector {
  readonly needs = ['logits'] as const;
  protected constructor(
    readonly name: string,
    readonly temperature: number,
    private readonly rowScore: (scaled: Float64Array) => number,
  ) {
    checkT(name, temperature);
  }
  score(input: DetectorInput): Float32Array {
    return scoreScaledRows(this.name, input, this.temperature, this.rowScore);
  }
}

/** Maximum softmax probability: score = −max_c softmax(f/T)_c (T = 1 by default). Needs logits [N, C]. */
export class MaxSoftmax extends TemperatureScaledLogits {
  constructor(temperature = 1) {
    // max softmax = exp(max − logsumexp)
    super('MSP', temperature, (s) => -Math.exp(s[argMax(s)] - logSumExp(s)));
  }
}

/** Maximum logit: score = −max_c f_c. Needs logits [N, C]. */
export class MaxLogit implements Detector {
  readonly name = 'MaxLogit';
  readonly needs = ['logits'] as const;
  score(input: DetectorInput): Float32Array {
    return scoreScaledRows(this.name, input, 1, (f) => -f[argMax(f)]);
  }
}

/** Energy-based (EBO): score = E = −T·logsumexp(f/T) (T = 1 by default). Needs logits [N, C]. */
export class EnergyBased extends TemperatureScaledLogits {
  constructor(temperature = 1) {
    super('EBO', temperature, (s) => -temperature * logSumExp(s));
  }
}

/**
 * KL-Matching. fit: d_k = mean of softmax(f) over the ID samples whose **given label** is k (as pytorch-ood's code;
 * its docstring says predicted class). score: p = softmax(f), ŷ = argmax p, Σ_c p_c·log(p_c / d_ŷ,c).
 * Unlike pytorch-ood we take **logits** (not probabilities) and avoid its NaN at p_c = 0 with xlogy semantics:
 * a term with p_c = 0 contributes 0 (its limit), even where d_ŷ,c = 0; p_c > 0 with d_ŷ,c = 0 gives +Infinity
 * (the true KL divergence). log p_c is computed as a log-softmax, so tiny p_c stay accurate. Scoring a sample
 * whose predicted class had no training sample throws (pytorch-ood raises too).
 */
export class KLMatching implements Detector {
  readonly name = 'KLMatching';
  readonly needs = ['logits'] as const;
  readonly fitNeeds = ['logits', 'labels'] as const;
  /** d_k (length C) per class k, or null where class k had no training sample. */
  distributions: (Float64Array | null)[] = [];

  fit(data: DetectorFitData): void {
    const f = need(this.name, data.logits, 'logits');
    const labels = fitLabels(this.name, data.labels, f.rows, f.cols);
    const sums: (Float64Array | null)[] = Array.from({ length: f.cols }, () => null);
    const counts = new Float64Array(f.cols);
    const logp = new Float64Array(f.cols);
    for (let i = 0; i < f.rows; i++) {
      const k = labels[i];
      if (k < 0) continue;
      if (k >= f.cols) throw new Error(`KLMatching: label ${k} at index ${i} but only ${f.cols} classes`);
      this.logSoftmax(row(f, i), logp);
      const acc = (sums[k] ??= new Float64Array(f.cols));
      for (let c = 0; c < f.cols; c++) acc[c] += Math.exp(logp[c]);
      counts[k]++;
    }
    if (counts.every((n) => n === 0)) throw new Error('KLMatching: fit got no ID samples (labels ≥ 0)');
    this.distributions = sums.map((s, k) => (s ? s.map((v) => v / counts[k]) : null));
  }

  score(input: DetectorInput): Float32Array {
    if (this.distributions.length === 0) throw new Error('KLMatching: call fit() before score()');
    const f = need(this.name, input.logits, 'logits', this.distributions.length);
    const out = new Float32Array(f.rows);
    const logp = new Float64Array(f.cols);
    for (let i = 0; i < f.rows; i++) {
      this.logSoftmax(row(f, i), logp);
      const y = argMax(logp);
      const d = this.distributions[y];
      if (!d) throw new Error(`KLMatching: predicted class ${y} was not present when fitting`);
      let kl = 0;
      for (let c = 0; c < f.cols; c++) {
        const p = Math.exp(logp[c]);
        if (p === 0) continue; // xlogy: 0·log 0 = 0
        kl += p * (logp[c] - Math.log(d[c]));
      }
      out[i] = kl;
    }
    return out;
  }

  private logSoftmax(v: ArrayLike<number>, out: Float64Array): Float64Array {
    const lse = logSumExp(v);
    for (let c = 0; c < v.length; c++) out[c] = v[c] - lse;
    return out;
  }
}

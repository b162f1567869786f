import { describe, expect, it } from 'vitest';
import { oodMetrics } from './localMetrics';

describe('local oodMetrics', () => {
  it('AUROC is the fraction of (OOD, ID) pairs ranked right, ties half', () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2];
    const labels = [0, 0, 1, 1, 1, 0];
    let s = 0;
    let n = 0;
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 6; j++)
        if (labels[i] === 1 && labels[j] === 0) {
          s += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
          n++;
        }
    expect(oodMetrics(scores, labels).AUROC).toBeCloseTo(s / n, 12);
  });

  it('perfect separation gives AUROC 1, FPR95 0, AUPRs 1', () => {
    const m = oodMetrics([0, 1, 2, 10, 11, 12], [0, 0, 0, 1, 1, 1]);
    expect(m).toEqual({ AUROC: 1, 'AUPR-IN': 1, 'AUPR-OUT': 1, FPR95TPR: 0 });
  });
});

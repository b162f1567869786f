import { describe, expect, it } from 'vitest';
import { learningRate } from './schedule';

describe('learningRate', () => {
  it('is the AOE code LambdaLR: 1e-6 + (lr0 − 1e-6)·½(1 + cos(πt/T))', () => {
    const T = 3910;
    for (const t of [0, 1, 977, 1955, 3000, 3909, 3910]) {
      const expected = 1e-6 + (5e-4 - 1e-6) * 0.5 * (1 + Math.cos((Math.PI * t) / T));
      expect(learningRate(t, T, 5e-4, 1e-6)).toBeCloseTo(expected, 12);
    }
    expect(learningRate(0, T, 5e-4, 1e-6)).toBe(5e-4);
    expect(learningRate(T, T, 5e-4, 1e-6)).toBeCloseTo(1e-6, 15);
  });

  it('warms up linearly, then anneals from the peak', () => {
    expect(learningRate(0, 100, 0.1, 0, 10)).toBeCloseTo(0.01, 12);
    expect(learningRate(9, 100, 0.1, 0, 10)).toBeCloseTo(0.1, 12);
    expect(learningRate(10, 100, 0.1, 0, 10)).toBeCloseTo(0.1, 12);
    expect(learningRate(55, 100, 0.1, 0, 10)).toBeCloseTo(0.05, 12);
  });
});

import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random';
import { acceptThreshold, acceptedArea, accuracy, gridPoints, histogram } from './landscape';

describe('threshold τ', () => {
  it('accepts exactly ⌈0.95·N⌉ ID training points with E < τ', () => {
    const r = new Random(1);
    for (const n of [1, 19, 20, 21, 100, 300, 301, 999]) {
      const e = r.normalArray(n, -5, 3);
      const tau = acceptThreshold(e);
      const accepted = Array.from(e).filter((v) => v < tau).length;
      expect(accepted).toBe(Math.ceil(0.95 * n - 1e-9));
    }
  });

  it('is exact on a hand example (N = 20 → 19 accepted, τ between the 19th and 20th value)', () => {
    const e = Array.from({ length: 20 }, (_, i) => 19 - i); // 19, 18, …, 0 (unsorted order on purpose)
    expect(acceptThreshold(e)).toBe(18.5);
  });
});

describe('accepted area', () => {
  it('matches the area of a disc E(x) = |x|² − r² < 0 on the grid', () => {
    const size = 200;
    const half = 6;
    const g = gridPoints(size, half);
    for (const r of [1, 2.5, 4]) {
      const e = new Float32Array(size * size);
      for (let i = 0; i < e.length; i++) e[i] = g[2 * i] ** 2 + g[2 * i + 1] ** 2 - r * r;
      const expected = (Math.PI * r * r) / (2 * half) ** 2;
      expect(Math.abs(acceptedArea(e, 0) - expected)).toBeLessThan(0.004);
    }
  });

  it('counts cells strictly below τ', () => {
    expect(acceptedArea([0, 1, 2, 3], 2)).toBe(0.5);
    expect(acceptedArea([], 2)).toBe(0);
  });

  it('grid cells are centred, row 0 at the top', () => {
    const g = gridPoints(4, 2);
    expect(Array.from(g.slice(0, 4))).toEqual([-1.5, 1.5, -0.5, 1.5]);
    expect(Array.from(g.slice(-2))).toEqual([1.5, -1.5]);
  });
});

describe('histogram and accuracy', () => {
  it('histogram counts every value once, clipping the tails into the end bins', () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    const h = histogram([a, [50, 1000]], 10);
    expect(h.edges.length).toBe(11);
    expect(h.counts[0].reduce((s, v) => s + v, 0)).toBe(100);
    expect(h.counts[1][9]).toBe(1);
  });

  it('accuracy is the argmax hit rate', () => {
    expect(accuracy([0, 1, 5, 2, 0.1, 0.2], [1, 0, 0], 2)).toBe(2 / 3);
  });
});

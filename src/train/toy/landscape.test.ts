import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random';
import { acceptThreshold, acceptedArea, accuracy, gridPoints, histogram } from './landscape';
import { oodMetrics, rocCurve } from './metrics';

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

describe('local oodMetrics (stand-in for core/metrics)', () => {
  /** AUROC by counting pairs: P(score_OOD > score_ID) + ½·P(tie). */
  function pairAuroc(s: number[], l: number[]): number {
    let num = 0;
    let den = 0;
    for (let i = 0; i < s.length; i++) {
      for (let j = 0; j < s.length; j++) {
        if (l[i] !== 1 || l[j] !== 0) continue;
        den++;
        num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
    }
    return num / den;
  }

  it('AUROC equals the pair-counting probability, ties included', () => {
    const r = new Random(3);
    const s = Array.from({ length: 120 }, () => Math.round(r.normal() * 4) / 2);
    const l = Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    for (let i = 0; i < 120; i++) if (l[i]) s[i] += 0.7;
    expect(oodMetrics(s, l).AUROC).toBeCloseTo(pairAuroc(s, l), 10);
  });

  it('FPR95TPR and the ROC on a hand example', () => {
    // OOD scores 10..29 (20 of them), ID scores 0..9 and one ID at 25.5
    const s = [
      ...Array.from({ length: 20 }, (_, i) => 10 + i),
      ...Array.from({ length: 10 }, (_, i) => i),
      25.5,
    ];
    const l = [...new Array(20).fill(1), ...new Array(11).fill(0)];
    // TPR ≥ 0.95 needs 19 OOD above t: t = 11, where the one ID at 25.5 is a false positive → FPR 1/11
    expect(oodMetrics(s, l).FPR95TPR).toBeCloseTo(1 / 11, 12);
    const roc = rocCurve(s, l);
    expect(roc.fpr[0]).toBe(0);
    expect(roc.tpr[roc.tpr.length - 1]).toBe(1);
    expect(oodMetrics(s, l)['AUPR-OUT']).toBeGreaterThan(0.9);
  });

  it('refuses a single class', () => {
    expect(() => oodMetrics([1, 2], [0, 0])).toThrow(/both/);
  });
});

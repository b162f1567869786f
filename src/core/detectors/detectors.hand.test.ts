import { describe, expect, it } from 'vitest';
import { fromRows } from '../linalg';
import {
  DICE,
  EnergyBased,
  KLMatching,
  Mahalanobis,
  MaxLogit,
  MaxSoftmax,
  percentileLinear,
  SHE,
  ViM,
} from './index';
import type { Matrix } from './index';

const m32 = (rows: number[][]): Matrix => {
  const m = fromRows(rows);
  return { data: Float32Array.from(m.data), rows: m.rows, cols: m.cols };
};

describe('logit detectors by hand', () => {
  // logits [0, ln 3]: softmax = [1/4, 3/4], logsumexp = ln 4
  const f = fromRows([
    [0, Math.log(3)],
    [5, 5],
  ]);
  it('MSP, EBO, MaxLogit', () => {
    expect(new MaxSoftmax().score({ logits: f })[0]).toBeCloseTo(-0.75, 7);
    expect(new MaxSoftmax().score({ logits: f })[1]).toBeCloseTo(-0.5, 7);
    expect(new EnergyBased().score({ logits: f })[0]).toBeCloseTo(-Math.log(4), 6);
    expect(new EnergyBased().score({ logits: f })[1]).toBeCloseTo(-(5 + Math.log(2)), 6);
    // T = 2: logits/2 = [0, ln √3] → max softmax √3/(1+√3); energy −2·ln(1+√3)
    expect(new MaxSoftmax(2).score({ logits: f })[0]).toBeCloseTo(-Math.sqrt(3) / (1 + Math.sqrt(3)), 6);
    expect(new EnergyBased(2).score({ logits: f })[0]).toBeCloseTo(-2 * Math.log(1 + Math.sqrt(3)), 6);
    expect(Array.from(new MaxLogit().score({ logits: f }))).toEqual([-Math.fround(Math.log(3)), -5]);
    expect(() => new MaxSoftmax().score({})).toThrow(/MSP: needs logits/);
    expect(() => new EnergyBased(0)).toThrow(/temperature/);
  });

  it('KLMatching: hand KL, and no NaN where p_c = 0 (xlogy)', () => {
    const det = new KLMatching();
    expect(() => det.score({ logits: f })).toThrow(/fit/);
    // class 0 samples: softmax [1/4, 3/4] and [3/4, 1/4] → d_0 = [1/2, 1/2]; class 1: [0, 1] exactly (−1000)
    det.fit({
      logits: fromRows([
        [0, Math.log(3)],
        [Math.log(3), 0],
        [-1000, 0],
        [7, 7],
      ]),
      labels: [0, 0, 1, -1], // the −1 row (OOD) is ignored
    });
    expect(Array.from(det.distributions[0]!)).toEqual([0.5, 0.5]);
    expect(det.distributions[1]![0]).toBe(0);
    const s = det.score({
      logits: fromRows([
        [Math.log(3), 0], // ŷ = 0: KL([3/4,1/4] ‖ [1/2,1/2])
        [-2000, 1], // ŷ = 1, p = [0, 1] exactly, d_1 = [0, 1]: 0·log(0/0) → 0, KL = 0
        [0, 1], // ŷ = 1, p_0 > 0 but d_1,0 = 0 → +∞
      ]),
    });
    expect(s[0]).toBeCloseTo(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5), 6);
    expect(s[1]).toBe(0);
    expect(s[2]).toBe(Infinity);
    const only0 = new KLMatching();
    only0.fit({ logits: fromRows([[1, 0]]), labels: [0] });
    expect(() => only0.score({ logits: fromRows([[0, 1]]) })).toThrow(/predicted class 1 was not present/);
  });
});

describe('feature detectors by hand', () => {
  it('SHE: patterns are means of correctly classified samples', () => {
    // head = identity on 2-D features: predicted class = larger coordinate
    const w = m32([
      [1, 0],
      [0, 1],
    ]);
    const det = new SHE(w, [0, 0]);
    det.fit({
      features: m32([
        [2, 0],
        [4, 2],
        [0, 3], // labelled 0 but predicted 1: dropped
        [1, 5],
        [0, 1],
      ]),
      labels: [0, 0, 0, 1, 1],
    });
    expect(Array.from(det.patterns!)).toEqual([3, 1, 0.5, 3]);
    const s = det.score({
      features: m32([
        [1, 0],
        [0, 2],
      ]),
    });
    expect(Array.from(s)).toEqual([-3, -6]);
    expect(() => det.fit({ features: m32([[1, 0]]), labels: [1] })).toThrow(/cover all classes/);
  });

  it('percentileLinear matches a hand-sorted list', () => {
    const v = [5, 1, 3, 2, 4];
    expect(percentileLinear(v, 90)).toBeCloseTo(4.6, 14); // rank 3.6 between 4 and 5
    expect(percentileLinear(v, 0)).toBe(1);
    expect(percentileLinear(v, 100)).toBe(5);
    expect(percentileLinear(v, 50)).toBe(3);
    expect(percentileLinear(v, 10)).toBeCloseTo(1.4, 14);
    expect(() => percentileLinear(v, 101)).toThrow(/0, 100/);
  });

  it('DICE: contributions, threshold, masked weights and score by hand', () => {
    const w = m32([
      [1, -2],
      [3, 0.5],
    ]);
    const det = new DICE(w, [0.1, -0.2], 50);
    det.fit({
      features: m32([
        [1, 3],
        [3, 1],
      ]),
    }); // mean m = [2, 2]; contrib = [[2, −4], [6, 1]]; sorted −4, 1, 2, 6 → 50 % = 1.5
    expect(det.threshold).toBeCloseTo(1.5, 14);
    expect(Array.from(det.maskedWeight!.data)).toEqual([1, 0, 3, 0]);
    const z = [1, 2];
    const l0 = 1 * z[0] + Math.fround(0.1);
    const l1 = 3 * z[0] + Math.fround(-0.2);
    expect(det.score({ features: m32([z]) })[0]).toBeCloseTo(-Math.log(Math.exp(l0) + Math.exp(l1)), 6);
    expect(() => new DICE(w, [0, 0], 0.9).score({ features: m32([z]) })).toThrow(/fit/);
    expect(() => new DICE(w, [0, 0], 190)).toThrow(/0–100/);
  });

  it('Mahalanobis on a 3-D toy with a diagonal covariance', () => {
    // each class: ±1 e1, ±2 e2, ±3 e3 around its mean (0 or (10,10,10)); scatter diag(4, 16, 36), N − 1 = 11
    const base = [
      [1, 0, 0],
      [-1, 0, 0],
      [0, 2, 0],
      [0, -2, 0],
      [0, 0, 3],
      [0, 0, -3],
    ];
    const feats = [...base, ...base.map((r) => r.map((v) => v + 10))];
    const det = new Mahalanobis();
    det.fit({ features: m32(feats), labels: [...base.map(() => 0), ...base.map(() => 1)] });
    const p = [1 / (4 / 11 + 1e-6), 1 / (16 / 11 + 1e-6), 1 / (36 / 11 + 1e-6)];
    const prec = det.precision;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(prec.data[i * 3 + j]).toBeCloseTo(i === j ? p[i] : 0, 9);
    const d = (z: number[], mu: number) => z.reduce((s, v, i) => s + (v - mu) ** 2 * p[i], 0);
    const s = det.score({
      features: m32([
        [1, 1, 1],
        [9, 12, 10],
        [5, 5, 5],
      ]),
    });
    expect(s[0]).toBeCloseTo(0.5 * d([1, 1, 1], 0), 5);
    expect(s[1]).toBeCloseTo(0.5 * d([9, 12, 10], 10), 5);
    expect(s[2]).toBeCloseTo(0.5 * Math.min(d([5, 5, 5], 0), d([5, 5, 5], 10)), 4);
    expect(() =>
      det.fit({
        features: m32([
          [0, 0, 0],
          [1, 1, 1],
        ]),
        labels: [1, 1],
      }),
    ).toThrow(/class 0 has no samples/);
  });

  it('ViM on a toy with a known eigenbasis: residual = span of the two smallest-variance axes', () => {
    // W = [[1,0,0],[0,1,0]], b = [1, −2] → pinv(W) = Wᵀ, u = −Wᵀb = (−1, 2, 0)
    const w = m32([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const b = [1, -2];
    const u = [-1, 2, 0];
    // around u: variances (1/N scatter) 1 on e1, 4 on e2, 9 on e3 → top-1 principal = e3; residual = {e1, e2}
    const offsets = [
      [1, 0, 0],
      [-1, 0, 0],
      [0, 2, 0],
      [0, -2, 0],
      [0, 0, 3],
      [0, 0, -3],
    ];
    const train = offsets.map((o) => o.map((v, i) => v + u[i]));
    const det = new ViM(1, w, b);
    Array.from(det.origin).forEach((v, i) => expect(v).toBeCloseTo(u[i], 12));
    det.fit({ features: m32(train) });
    const r = (z: number[]) => Math.hypot(z[0] - u[0], z[1] - u[1]);
    const logits = (z: number[]) => [z[0] + b[0], z[1] + b[1]];
    const alpha =
      train.reduce((s, z) => s + Math.max(...logits(z)), 0) /
      train.length /
      (train.reduce((s, z) => s + r(z), 0) / train.length);
    expect(det.alpha).toBeCloseTo(alpha, 12);
    const test = [
      [0, 1, 5],
      [3, 4, -1],
      [200, 0, 0], // logit 201 is clipped to 100 inside logsumexp
    ];
    const s = det.score({ features: m32(test) });
    test.forEach((z, i) => {
      const l = logits(z).map((v) => Math.min(100, Math.max(-100, v)));
      const lse = Math.log(Math.exp(l[0]) + Math.exp(l[1]));
      expect(s[i]).toBeCloseTo(alpha * r(z) - lse, 4);
    });
    expect(() => new ViM(3, w, b).fit({ features: m32(train) })).toThrow(/no residual space/);
  });
});

import { describe, expect, it } from 'vitest';
import { Random } from './random';

/**
 * Moment checks allow 5 standard errors for the sample size (see each test): deterministic with the fixed
 * seeds, and a wrong distribution (e.g. a [0,2) range, std 2, a biased shuffle) misses by far more.
 */
const K = 5;
const N = 100_000;

const draw = (n: number, f: () => number) => Float64Array.from({ length: n }, f);
function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
function variance(a: ArrayLike<number>): number {
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2;
  return s / (a.length - 1);
}

describe('Random', () => {
  it('is deterministic per seed, differs across seeds, and truncates seeds to 32 bits', () => {
    const seq = (seed: number) =>
      Array.from(
        { length: 20 },
        (() => {
          const r = new Random(seed);
          return () => r.nextUint32();
        })(),
      );
    expect(seq(123)).toEqual(seq(123));
    expect(seq(123)).not.toEqual(seq(124));
    expect(seq(2 ** 32 + 5)).toEqual(seq(5));
    const a = new Random(9);
    const b = new Random(9);
    expect([a.uniform(), a.normal(), a.int(10), ...a.permutation(6)]).toEqual([
      b.uniform(),
      b.normal(),
      b.int(10),
      ...b.permutation(6),
    ]);
  });

  it('uniform(): values in [0,1), mean 1/2 and variance 1/12', () => {
    const r = new Random(1);
    const u = draw(N, () => r.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(K * Math.sqrt(1 / 12 / N));
    // Var[(U − ½)²] = 1/80 − 1/144 = 1/180, so the SE of the sample variance is √(1/(180 N)).
    expect(Math.abs(variance(u) - 1 / 12)).toBeLessThan(K * Math.sqrt(1 / 180 / N));
  });

  it('uniformRange / uniformArray / int respect their ranges and moments', () => {
    const r = new Random(2);
    const v = r.uniformArray(N, -3, 5);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...v)).toBeLessThan(5);
    expect(Math.abs(mean(v) - 1)).toBeLessThan(K * Math.sqrt(64 / 12 / N));
    const w = draw(N, () => r.uniformRange(2, 4));
    expect(Math.abs(mean(w) - 3)).toBeLessThan(K * Math.sqrt(4 / 12 / N));
    const counts = new Array(7).fill(0);
    for (let i = 0; i < N; i++) counts[r.int(7)]++;
    // Each count ~ Binomial(N, 1/7): SE √(N·(1/7)·(6/7)).
    counts.forEach((c) => expect(Math.abs(c - N / 7)).toBeLessThan(K * Math.sqrt((N * 6) / 49)));
  });

  it('normal(): mean 0 and variance 1; normalArray(mean, std) shifts and scales', () => {
    const r = new Random(3);
    const z = draw(N, () => r.normal());
    expect(Math.abs(mean(z))).toBeLessThan(K * Math.sqrt(1 / N));
    expect(Math.abs(variance(z) - 1)).toBeLessThan(K * Math.sqrt(2 / (N - 1)));
    // Tails: P(|Z| > 2) = 0.0455; its count is Binomial, SE √(N p (1−p)).
    const tail = z.filter((v) => Math.abs(v) > 2).length;
    expect(Math.abs(tail - 0.0455 * N)).toBeLessThan(K * Math.sqrt(N * 0.0455 * 0.9545));
    const s = r.normalArray(N, 4, 0.5);
    expect(Math.abs(mean(s) - 4)).toBeLessThan(K * Math.sqrt(0.25 / N));
    expect(Math.abs(variance(s) / 0.25 - 1)).toBeLessThan(K * Math.sqrt(2 / (N - 1)));
  });

  it('permutation(): a valid permutation, all 24 orders of 4 equally often', () => {
    const r = new Random(4);
    for (const n of [0, 1, 2, 17, 1000]) {
      const p = Array.from(r.permutation(n));
      expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    const counts = new Map<string, number>();
    const trials = 48_000;
    for (let t = 0; t < trials; t++) {
      const key = r.permutation(4).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    const expected = trials / 24; // each count ~ Binomial(trials, 1/24)
    for (const c of counts.values())
      expect(Math.abs(c - expected)).toBeLessThan(K * Math.sqrt((expected * 23) / 24));
  });

  it('fork() gives a stream that differs from the parent continuation and is itself reproducible', () => {
    const a = new Random(5);
    const child = a.fork();
    const childSeq = Array.from({ length: 10 }, () => child.nextUint32());
    const parentSeq = Array.from({ length: 10 }, () => a.nextUint32());
    expect(childSeq).not.toEqual(parentSeq);
    const b = new Random(5);
    const child2 = b.fork();
    expect(Array.from({ length: 10 }, () => child2.nextUint32())).toEqual(childSeq);
    expect(new Random(6).seed()).toBe(new Random(6).nextUint32());
  });
});

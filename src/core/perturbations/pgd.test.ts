import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { energy } from '../energy';
import { fixture, leakedBy, makeFixtureNet, toTensor } from '../__fixtures__/torchFixture';
import { Random } from '../random';
import { energyGradientStep, energyPgd } from '../perturbations';

const net = makeFixtureNet();
const x = toTensor(fixture.x_ood_nhwc);
afterAll(() => {
  x.dispose();
  net.dispose();
});
const meanEnergy = (t: tf.Tensor) => tf.tidy(() => tf.mean(energy(net.model(t))).dataSync()[0]);
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('energyPgd', () => {
  for (const eps of [0.5, 0.1, 0.01]) {
    it(`ε = ${eps}: stays in the L∞ ball, lowers the mean energy at least as much as one AOE step`, () => {
      const opts = { epsilon: eps, stepSize: eps / 4, steps: 10, random: new Random(42) };
      const adv = energyPgd(net.model, x, opts);
      // fp32: x ± ε and the iterates are rounded to float32, so allow one ulp of |x| ≤ 1.25 (≈ 1.2e-7).
      expect(maxAbsDiff(adv, x)).toBeLessThanOrEqual(eps + 2.5e-7);
      const aoe = energyGradientStep(net.model, x, { epsilon: eps });
      expect(meanEnergy(adv)).toBeLessThanOrEqual(meanEnergy(aoe));
      expect(meanEnergy(adv)).toBeLessThan(meanEnergy(x));
      tf.dispose([adv, aoe]);
    });
  }

  it('defaults α to 2.5·ε/k', () => {
    const a = energyPgd(net.model, x, { epsilon: 0.1, steps: 5, random: new Random(1) });
    const b = energyPgd(net.model, x, { epsilon: 0.1, steps: 5, stepSize: 0.05, random: new Random(1) });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });

  it('is deterministic for a seed, and the random start depends on the seed', () => {
    const run = (seed: number, steps: number) =>
      energyPgd(net.model, x, { epsilon: 0.1, stepSize: 0.02, steps, random: new Random(seed) });
    const [a, b, c] = [run(3, 5), run(3, 5), run(4, 0)];
    const d = run(3, 0);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(d.dataSync()));
    tf.dispose([a, b, c, d]);
  });

  it('the random start is U(−ε, ε) around x (k = 0: mean 0, variance ε²/3 within 5 standard errors)', () => {
    const eps = 0.1;
    const start = energyPgd(net.model, x, { epsilon: eps, stepSize: 0, steps: 0, random: new Random(9) });
    const u = Array.from(tf.tidy(() => tf.div(tf.sub(start, x), eps).dataSync()));
    const n = u.length; // 240 draws of U(−1, 1): variance 1/3, Var[u²] = 1/5 − 1/9 = 4/45
    const mean = u.reduce((s, v) => s + v, 0) / n;
    const meanSq = u.reduce((s, v) => s + v * v, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(1 / 3 / n));
    expect(Math.abs(meanSq - 1 / 3)).toBeLessThan(5 * Math.sqrt(4 / 45 / n));
    expect(Math.max(...u.map(Math.abs))).toBeLessThanOrEqual(1 + 3e-6);
    start.dispose();
  });

  it('without random start, one step of α = ε is exactly the AOE step', () => {
    const pgd = energyPgd(net.model, x, {
      epsilon: 0.05,
      stepSize: 0.05,
      steps: 1,
      random: new Random(0),
      randomStart: false,
    });
    const aoe = energyGradientStep(net.model, x, { epsilon: 0.05 });
    expect(maxAbsDiff(pgd, aoe)).toBe(0);
    tf.dispose([pgd, aoe]);
  });

  it('takes the gradient at the current iterate: k small steps beat one step of the same total length', () => {
    // If the gradient were frozen at x (or taken w.r.t. another tensor, as the authors' bug), k steps of ε/k
    // without random start would land exactly on the one-step AOE point.
    const opts = { epsilon: 0.5, stepSize: 0.05, steps: 10, random: new Random(0), randomStart: false };
    const pgd = energyPgd(net.model, x, opts);
    const aoe = energyGradientStep(net.model, x, { epsilon: 0.5 });
    expect(maxAbsDiff(pgd, aoe)).toBeGreaterThan(0.05);
    expect(meanEnergy(pgd)).toBeLessThan(meanEnergy(aoe));
    tf.dispose([pgd, aoe]);
  });

  it('clamps the start and every iterate; leaks nothing; rejects bad options', () => {
    const opts = {
      epsilon: 0.5,
      stepSize: 0.1,
      steps: 4,
      random: new Random(5),
      clamp: [0, 1] as [number, number],
    };
    const xIn = tf.clipByValue(x, 0, 1);
    const adv = energyPgd(net.model, xIn, opts);
    const v = Array.from(adv.dataSync());
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(adv, xIn)).toBeLessThanOrEqual(0.5 + 2.5e-7);
    tf.dispose([adv]);
    expect(leakedBy(() => energyPgd(net.model, xIn, opts))).toBe(0);
    expect(leakedBy(() => energyPgd(net.model, xIn, { ...opts, epsilon: 0 }))).toBe(0);
    expect(() => energyPgd(net.model, xIn, { ...opts, steps: 1.5 })).toThrow();
    xIn.dispose();
  });
});

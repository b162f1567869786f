import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { energy } from '../energy';
import { centralDifferences } from '../__fixtures__/finiteDiff';
import {
  expectAllClose,
  fixture,
  leakedBy,
  makeFixtureNet,
  tinyGradientMask,
  toTensor,
} from '../__fixtures__/torchFixture';
import { energyGradientStep } from '../perturbations';

const ref = fixture.float64;
const net = makeFixtureNet();
const x = toTensor(fixture.x_ood_nhwc);
const m = x.shape[0];
const meanEnergy = (t: tf.Tensor) => tf.mean(energy(net.model(t))) as tf.Scalar;
afterAll(() => {
  x.dispose();
  net.dispose();
});

describe('∇ₓ mean energy on the fixture net', () => {
  const grad = tf.tidy(() => tf.grad(meanEnergy)(x));
  const g = Array.from(grad.dataSync());
  grad.dispose();

  it('matches torch float64 to fp32 tolerance, with exactly the same sign pattern', () => {
    expectAllClose(g, ref.grad_mean_energy_ood.data, 1e-5);
    const skip = tinyGradientMask(ref.grad_mean_energy_ood);
    g.forEach((v, i) => {
      if (!skip[i]) expect(Math.sign(v)).toBe(ref.sign_grad_mean_energy_ood.data[i]);
    });
  });

  it('matches central finite differences of the per-sample energies (tfjs float32 forward passes)', () => {
    // h = 1e-2 balances the two fp32 errors: rounding of E_i (|E| ≈ 2, a few ulp ≈ 2e-7) / h ≈ 2e-5, and
    // truncation h²/6·|∂³E| ≈ 0.044·h² ≈ 4e-6 (measured: the error at h = 0.1 is 4.4e-4). Predicted error
    // ≈ 2.5e-5, measured 1.5e-5; tolerance 1e-4 absolute on ∂E_i/∂x (max |∂E_i/∂x| ≈ 0.39).
    const fd = centralDifferences((t) => energy(net.model(t)), x, 1e-2);
    fd.forEach((v, i) => expect(Math.abs(v - m * g[i])).toBeLessThan(1e-4));
  });
});

describe('energyGradientStep (AOE, Eq. 7)', () => {
  for (const eps of fixture.params.aoeEpsilons) {
    it(`reproduces torch's perturbed batch at ε = ${eps}, ‖δ‖∞ = ε, and leaks nothing`, () => {
      const out = energyGradientStep(net.model, x, { epsilon: eps });
      const skip = tinyGradientMask(ref.grad_mean_energy_ood);
      expectAllClose(out.dataSync(), ref[`aoe_eps${eps}`].data, 1e-5, skip);
      const delta = tf.tidy(() => tf.max(tf.abs(tf.sub(out, x))).dataSync()[0]);
      expect(delta).toBeCloseTo(eps, 6);
      out.dispose();
      expect(leakedBy(() => energyGradientStep(net.model, x, { epsilon: eps }))).toBe(0);
    });
  }

  it('lowers the mean energy (torch agrees on the value after ε = 0.5)', () => {
    const out = energyGradientStep(net.model, x, { epsilon: 0.5 });
    const after = tf.tidy(() => meanEnergy(out).dataSync()[0]);
    const before = tf.tidy(() => meanEnergy(x).dataSync()[0]);
    expect(after).toBeLessThan(before);
    expectAllClose([after], ref['mean_energy_ood_after_aoe_eps0.5'].data, 1e-5);
    out.dispose();
  });

  it('ε = 0 returns an equal, distinct tensor; clamp clips to the range', () => {
    const same = energyGradientStep(net.model, x, { epsilon: 0 });
    expect(same).not.toBe(x);
    expect(Array.from(same.dataSync())).toEqual(Array.from(x.dataSync()));
    same.dispose();
    const free = energyGradientStep(net.model, x, { epsilon: 0.5 });
    const clamped = energyGradientStep(net.model, x, { epsilon: 0.5, clamp: [0, 1] });
    const expected = Array.from(free.dataSync()).map((v) => Math.min(1, Math.max(0, v)));
    expect(Array.from(free.dataSync()).some((v) => v < 0 || v > 1)).toBe(true);
    expect(Array.from(clamped.dataSync())).toEqual(expected);
    tf.dispose([free, clamped]);
  });

  it('with a normalising `preprocess`, steps ε in pixel units along the sign of the normalised gradient', () => {
    // z = (x − μ)/σ with σ > 0 per channel ⇒ sign ∇ₓE = sign ∇_zE. So the pixel step (x̂ − x)/ε must equal the
    // step the same net takes on z directly, (ẑ − z)/ε′, computed without `preprocess`.
    const mu = tf.tensor1d([0.5, 0.4, 0.45]);
    const sigma = tf.tensor1d([0.25, 0.3, 0.2]);
    const normalise = (t: tf.Tensor) => tf.div(tf.sub(t, mu), sigma);
    const xHat = energyGradientStep(net.model, x, { epsilon: 0.03, preprocess: normalise });
    const z = normalise(x);
    const zHat = energyGradientStep(net.model, z, { epsilon: 0.7 });
    const pixelStep = tf.tidy(() => tf.div(tf.sub(xHat, x), 0.03).dataSync());
    const zStep = tf.tidy(() => tf.div(tf.sub(zHat, z), 0.7).dataSync());
    expectAllClose(pixelStep, zStep, 1e-4);
    expect(leakedBy(() => energyGradientStep(net.model, x, { epsilon: 0.03, preprocess: normalise }))).toBe(
      0,
    );
    tf.dispose([mu, sigma, xHat, z, zHat]);
  });
});

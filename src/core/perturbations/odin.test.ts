import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  expectAllClose,
  fixture,
  leakedBy,
  makeFixtureNet,
  tinyGradientMask,
  toTensor,
} from '../__fixtures__/torchFixture';
import { odinPreprocess } from '../perturbations';

const ref = fixture.float64;
const { odinEpsilon: epsilon, odinTemperature: temperature, normStd } = fixture.params;
const net = makeFixtureNet();
// ODIN runs on ID and OOD alike: the fixture uses the 8 inputs [ID; OOD].
const x = tf.tidy(() => tf.concat([toTensor(fixture.x_id_nhwc), toTensor(fixture.x_ood_nhwc)]));
afterAll(() => {
  x.dispose();
  net.dispose();
});

describe('odinPreprocess (pytorch-ood odin_preprocessing)', () => {
  it('predicts the same classes as torch (argmax f(x)/T)', () => {
    const pred = tf.tidy(() => tf.argMax(net.model(x), 1).dataSync());
    expect(Array.from(pred)).toEqual(ref.odin_pred.data);
  });

  it('reproduces torch without normStd: x − ε·sign(∇ₓ −mean f_ŷ/T)', () => {
    const out = odinPreprocess(net.model, x, { epsilon, temperature });
    expectAllClose(out.dataSync(), ref.odin_plain.data, 1e-5, tinyGradientMask(ref.odin_grad));
    out.dispose();
  });

  it('reproduces torch with per-channel normStd on the last (NHWC channel) axis', () => {
    const out = odinPreprocess(net.model, x, { epsilon, temperature, normStd });
    expectAllClose(out.dataSync(), ref.odin_norm_std.data, 1e-5, tinyGradientMask(ref.odin_grad));
    out.dispose();
  });

  it('raises the predicted logit for a small step', () => {
    const out = odinPreprocess(net.model, x, { epsilon: 1e-3, temperature });
    const picked = (t: tf.Tensor) =>
      tf.tidy(() => {
        const logits = net.model(t);
        return tf.sum(tf.mul(logits, tf.oneHot(tf.argMax(net.model(x), 1), logits.shape[1]))).dataSync()[0];
      });
    expect(picked(out)).toBeGreaterThan(picked(x));
    out.dispose();
  });

  it('defaults to pytorch-ood (ε 0.05, T 1000); ε = 0 is the identity', () => {
    const a = odinPreprocess(net.model, x);
    const b = odinPreprocess(net.model, x, { epsilon: 0.05, temperature: 1000 });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const z = odinPreprocess(net.model, x, { epsilon: 0 });
    expect(Array.from(z.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([a, b, z]);
  });

  it('leaks nothing and rejects a normStd of the wrong length or T ≤ 0', () => {
    expect(() => odinPreprocess(net.model, x, { temperature: 0 })).toThrow(/temperature/);
    expect(leakedBy(() => odinPreprocess(net.model, x, { epsilon, temperature, normStd }))).toBe(0);
    expect(() => odinPreprocess(net.model, x, { epsilon, temperature, normStd: [0.2, 0.2] })).toThrow(
      /channels/,
    );
  });
});

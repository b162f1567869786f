import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { uniformCrossEntropyPerSample } from '../losses';
import { centralDifferences } from '../__fixtures__/finiteDiff';
import {
  expectAllClose,
  fixture,
  leakedBy,
  makeFixtureNet,
  tinyGradientMask,
  toTensor,
} from '../__fixtures__/torchFixture';
import { fgsmOutlierExposure } from '../perturbations';

const ref = fixture.float64;
const eps = fixture.params.fgsmEpsilon;
const net = makeFixtureNet();
const x = toTensor(fixture.x_ood_nhwc);
afterAll(() => {
  x.dispose();
  net.dispose();
});
const meanOe = (t: tf.Tensor) =>
  tf.tidy(() => tf.mean(uniformCrossEntropyPerSample(net.model(t))).dataSync()[0]);

describe('fgsmOutlierExposure (test-time adversary, paper §5.5)', () => {
  it("'paper-oe' (default) reproduces torch: x + ε·sign(∇ mean L_OE), and raises L_OE", () => {
    const adv = fgsmOutlierExposure(net.model, x, { epsilon: eps });
    expectAllClose(
      adv.dataSync(),
      ref.fgsm_oe_paper.data,
      1e-5,
      tinyGradientMask(ref.grad_mean_uniform_ce_ood),
    );
    expect(meanOe(adv)).toBeGreaterThan(meanOe(x));
    adv.dispose();
  });

  it("'paper-oe' gradient matches torch and central finite differences", () => {
    const g = tf.tidy(() =>
      tf
        .grad((t: tf.Tensor) => tf.mean(uniformCrossEntropyPerSample(net.model(t))) as tf.Scalar)(x)
        .dataSync(),
    );
    expectAllClose(g, ref.grad_mean_uniform_ce_ood.data, 1e-5);
    // Same h and error budget as the energy check (|L_OE| ≈ 1.6–2, similar curvature): tolerance 1e-4 absolute.
    const fd = centralDifferences((t) => uniformCrossEntropyPerSample(net.model(t)), x, 1e-2);
    fd.forEach((v, i) => expect(Math.abs(v - x.shape[0] * g[i])).toBeLessThan(1e-4));
  });

  it("'code-ce-class1' reproduces the authors' CE ascent away from class 1", () => {
    const adv = fgsmOutlierExposure(net.model, x, { epsilon: eps, objective: 'code-ce-class1' });
    expectAllClose(adv.dataSync(), ref.fgsm_code_class1.data, 1e-5, tinyGradientMask(ref.grad_ce_class1_ood));
    const other = fgsmOutlierExposure(net.model, x, {
      epsilon: eps,
      objective: 'code-ce-class1',
      targetClass: 2,
    });
    expect(Array.from(other.dataSync())).not.toEqual(Array.from(adv.dataSync()));
    tf.dispose([adv, other]);
  });

  it('clamps when asked, ε = 0 is the identity, nothing leaks, a bad class throws', () => {
    const c = fgsmOutlierExposure(net.model, x, { epsilon: 0.5, clamp: [0, 1] });
    const v = Array.from(c.dataSync());
    expect(Math.min(...v) >= 0 && Math.max(...v) <= 1).toBe(true);
    const z = fgsmOutlierExposure(net.model, x, { epsilon: 0 });
    expect(Array.from(z.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([c, z]);
    expect(leakedBy(() => fgsmOutlierExposure(net.model, x, { epsilon: eps }))).toBe(0);
    expect(
      leakedBy(() => fgsmOutlierExposure(net.model, x, { epsilon: eps, objective: 'code-ce-class1' })),
    ).toBe(0);
    const bad = () =>
      fgsmOutlierExposure(net.model, x, { epsilon: eps, objective: 'code-ce-class1', targetClass: 9 });
    const before = tf.memory().numTensors;
    expect(bad).toThrow(/target class/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

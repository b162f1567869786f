import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllClose, fixture, leakedBy, makeFixtureNet, toTensor } from './__fixtures__/torchFixture';
import {
  crossEntropy,
  crossEntropyPerSample,
  energyBoundedLoss,
  outlierExposureLoss,
  uniformCrossEntropyPerSample,
} from './losses';

const ref = fixture.float64;
const net = makeFixtureNet();
const idLogits = tf.tidy(() => net.model(toTensor(fixture.x_id_nhwc)));
const oodLogits = tf.tidy(() => net.model(toTensor(fixture.x_ood_nhwc)));
const idLabels = tf.tensor1d(fixture.y_id, 'int32');
afterAll(() => {
  tf.dispose([idLogits, oodLogits, idLabels]);
  net.dispose();
});

/** Plain float64 logsumexp for the hand-written references below. */
const lse = (row: number[]) => {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
};

describe('losses against the PyTorch fixture (float64 reference, fp32 tolerance)', () => {
  it('the tfjs twin of the fixture net reproduces torch logits', () => {
    expectAllClose(idLogits.dataSync(), ref.logits_id.data);
    expectAllClose(oodLogits.dataSync(), ref.logits_ood.data);
  });

  it('cross-entropy (per sample and mean) and the uniform CE match torch', () => {
    expectAllClose(crossEntropyPerSample(idLogits, idLabels).dataSync(), ref.ce_per_sample.data);
    expectAllClose(crossEntropy(idLogits, idLabels).dataSync(), ref.ce.data);
    expectAllClose(uniformCrossEntropyPerSample(oodLogits).dataSync(), ref.uniform_ce_per_sample.data);
  });

  it('OE loss: both reductions match torch (N = 3 ID ≠ M = 5 OOD, so they are not a fixed ratio)', () => {
    const lam = fixture.params.lambdaOe;
    const sep = outlierExposureLoss(idLogits, idLabels, oodLogits, lam, 'separate');
    const whole = outlierExposureLoss(idLogits, idLabels, oodLogits, lam, 'whole-batch');
    const dflt = outlierExposureLoss(idLogits, idLabels, oodLogits);
    expectAllClose(sep.dataSync(), ref.oe_separate.data);
    expectAllClose(whole.dataSync(), ref.oe_whole_batch.data);
    expect(dflt.dataSync()[0]).toBe(sep.dataSync()[0]);
    expect(Math.abs(ref.oe_separate.data[0] - ref.oe_whole_batch.data[0])).toBeGreaterThan(0.1);
    tf.dispose([sep, whole, dflt]);
  });

  it('energy-bounded loss: both reductions match torch, with margins that leave some hinges active', () => {
    const { eblLambda: lambda, marginIn, marginOut } = fixture.params;
    for (const reduction of ['separate', 'whole-batch'] as const) {
      const l = energyBoundedLoss(idLogits, idLabels, oodLogits, { lambda, marginIn, marginOut, reduction });
      const key = reduction === 'separate' ? 'ebl_separate' : 'ebl_whole_batch';
      expectAllClose(l.dataSync(), ref[key].data);
      l.dispose();
    }
  });

  it('nothing leaks', () => {
    const opts = { lambda: 0.1, marginIn: -2, marginOut: -2 };
    expect(leakedBy(() => crossEntropyPerSample(idLogits, idLabels))).toBe(0);
    expect(leakedBy(() => crossEntropy(idLogits, idLabels))).toBe(0);
    expect(leakedBy(() => uniformCrossEntropyPerSample(oodLogits))).toBe(0);
    expect(leakedBy(() => outlierExposureLoss(idLogits, idLabels, oodLogits, 0.5, 'whole-batch'))).toBe(0);
    expect(leakedBy(() => energyBoundedLoss(idLogits, idLabels, oodLogits, opts))).toBe(0);
  });
});

describe('losses against hand-written float64 references', () => {
  const id = [
    [2, -1, 0.5],
    [-3, 4, 1],
  ];
  const labels = [0, 2];
  const ood = [
    [0, 0, 0],
    [10, -10, 0],
    [1, 2, 3],
  ];
  const ce = id.map((r, i) => lse(r) - r[labels[i]]);
  const uce = ood.map((r) => lse(r) - r.reduce((a, b) => a + b, 0) / r.length);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);

  it('uniform CE is log C for equal logits and larger otherwise', () => {
    const t = tf.tensor2d(ood);
    const got = Array.from(uniformCrossEntropyPerSample(t).dataSync());
    t.dispose();
    got.forEach((g, i) => expect(g).toBeCloseTo(uce[i], 5));
    expect(got[0]).toBeCloseTo(Math.log(3), 6);
    got.slice(1).forEach((g) => expect(g).toBeGreaterThan(Math.log(3)));
  });

  it('OE and energy-bounded reductions follow their documented formulas', () => {
    const [a, y, b] = [tf.tensor2d(id), tf.tensor1d(labels, 'int32'), tf.tensor2d(ood)];
    const oeSep = outlierExposureLoss(a, y, b, 0.3, 'separate').dataSync()[0];
    const oeWhole = outlierExposureLoss(a, y, b, 0.3, 'whole-batch').dataSync()[0];
    expect(oeSep).toBeCloseTo(mean(ce) + 0.3 * mean(uce), 5);
    expect(oeWhole).toBeCloseTo((sum(ce) + 0.3 * sum(uce)) / 5, 5);
    const [mIn, mOut, lam] = [-3, -2.5, 0.2];
    const penIn = id.map((r) => Math.max(0, -lse(r) - mIn) ** 2);
    const penOut = ood.map((r) => Math.max(0, mOut + lse(r)) ** 2);
    expect(penIn.some((p) => p > 0) && penIn.some((p) => p === 0)).toBe(true);
    expect(penOut.some((p) => p > 0) && penOut.some((p) => p === 0)).toBe(true);
    const opts = { lambda: lam, marginIn: mIn, marginOut: mOut };
    const sep = energyBoundedLoss(a, y, b, { ...opts, reduction: 'separate' }).dataSync()[0];
    const whole = energyBoundedLoss(a, y, b, { ...opts, reduction: 'whole-batch' }).dataSync()[0];
    expect(sep).toBeCloseTo(mean(ce) + lam * (mean(penIn) + mean(penOut)), 4);
    expect(whole).toBeCloseTo((sum(ce) + lam * (sum(penIn) + sum(penOut))) / 5, 4);
    tf.dispose([a, y, b]);
  });
});

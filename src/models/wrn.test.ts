import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Random } from '../core/random';
import { plainWrnForward, type Weights } from '../../tests/helpers/plainWrn';
import type { ModelState } from './types';
import { asLogitsFn, countTrainableParameters, WideResNet } from './wrn';
import { wrnConfig, wrnStateEntries } from './wrnSpec';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Non-trivial BN parameters and running statistics, so train/eval and γ/β mix-ups cannot hide. */
function randomiseBn(model: WideResNet, rng: Random): void {
  const state = model.getState();
  for (const [k, t] of state.tensors) {
    const n = t.size;
    let v: Float32Array | null = null;
    if (k.endsWith('running_mean') || k.endsWith('.bias')) v = rng.normalArray(n, 0, 0.2);
    if (k.endsWith('running_var')) v = rng.uniformArray(n, 0.5, 1.5);
    if (k.endsWith('bn1.weight') || k.endsWith('bn2.weight')) v = rng.normalArray(n, 1, 0.2);
    if (v) {
      t.dispose();
      state.tensors.set(k, tf.tensor(v, t.shape));
    }
  }
  model.setState(state);
  disposeState(state);
}

function disposeState(state: ModelState): void {
  for (const t of state.tensors.values()) t.dispose();
}

function plainWeights(model: WideResNet): Weights {
  const state = model.getState();
  const w: Weights = new Map();
  for (const [k, t] of state.tensors) w.set(k, { shape: t.shape, v: Float64Array.from(t.dataSync()) });
  disposeState(state);
  return w;
}

describe('WideResNet architecture', () => {
  it('WRN-40-2 has the paper’s parameter counts, 37 BNs, 40 convs and 227 state_dict keys', () => {
    for (const [classes, expected] of [
      [10, 2_243_546],
      [100, 2_255_156],
    ]) {
      const config = wrnConfig('WRN-40-2', { numClasses: classes });
      const entries = wrnStateEntries(config);
      expect(entries.length).toBe(227);
      expect(entries.filter((e) => e.kind === 'conv').length).toBe(40);
      expect(entries.filter((e) => e.kind === 'bnWeight').length).toBe(37);
      const running = entries.filter((e) => e.kind === 'bnMean' || e.kind === 'bnVar');
      expect(running.reduce((s, e) => s + e.tfShape[0], 0)).toBe(5408);
      const model = new WideResNet(config, 1);
      expect(countTrainableParameters(model)).toBe(expected);
      model.dispose();
    }
  });

  it('gives logits [N, C] and 64k-d features for every preset', () => {
    for (const [preset, feat] of [
      ['WRN-10-1', 64],
      ['WRN-16-2', 128],
    ] as const) {
      const model = new WideResNet(wrnConfig(preset, { numClasses: 7 }), 3);
      const before = tf.memory().numTensors;
      const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
      const out = model.forward(x, { training: false });
      expect(out.logits.shape).toEqual([2, 7]);
      expect(out.features.shape).toEqual([2, feat]);
      expect(out.batchStats).toBeUndefined();
      tf.dispose([x, out.logits, out.features]);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    }
    const model = new WideResNet(wrnConfig('WRN-10-1'), 3);
    expect(() => model.forward(tf.zeros([1, 28, 28, 3]) as tf.Tensor4D, { training: false })).toThrow(
      /32, 32, 3/,
    );
    model.dispose();
  });
});

describe('WideResNet BatchNorm: train vs eval', () => {
  const config = wrnConfig('WRN-10-1', { numClasses: 5, dropRate: 0 });
  const rng = new Random(11);
  const xData = rng.uniformArray(3 * 32 * 32 * 3, -2, 2);
  const plainInput = { n: 3, h: 32, w: 32, c: 3, v: Float64Array.from(xData) };

  it('eval uses the running stats, training uses batch stats, and only committed steps update them', () => {
    const model = new WideResNet(config, 4);
    randomiseBn(model, new Random(12));
    const x = tf.tensor4d(xData, [3, 32, 32, 3]);
    const w0 = plainWeights(model);
    const plainEval = plainWrnForward(config, w0, plainInput, false);
    const plainTrain = plainWrnForward(config, w0, plainInput, true);
    // The two modes really differ on this model (else the test could not tell them apart).
    expect(maxAbsDiff(plainEval.logits, plainTrain.logits)).toBeGreaterThan(0.05);

    const evalOut = model.forward(x, { training: false });
    expect(maxAbsDiff(evalOut.logits.dataSync(), plainEval.logits)).toBeLessThan(1e-4);
    const before = tf.memory().numTensors;
    const train = model.forward(x, { training: true });
    expect(maxAbsDiff(train.logits.dataSync(), plainTrain.logits)).toBeLessThan(1e-4);
    expect(train.batchStats!.entries.length).toBe(7);

    // Not committed yet: eval is unchanged.
    const evalAgain = model.forward(x, { training: false });
    expect(maxAbsDiff(evalAgain.logits.dataSync(), plainEval.logits)).toBeLessThan(1e-4);
    tf.dispose([evalAgain.logits, evalAgain.features]);

    model.applyBatchNormStats(train.batchStats!);
    tf.dispose([train.logits, train.features]);
    expect(tf.memory().numTensors).toBe(before);
    const w1 = plainWeights(model);
    for (const [name, s] of plainTrain.stats) {
      const rm0 = w0.get(`${name}.running_mean`)!.v;
      const rv0 = w0.get(`${name}.running_var`)!.v;
      const wantMean = s.mean.map((m, c) => 0.9 * rm0[c] + 0.1 * m);
      const wantVar = s.unbiasedVar.map((v, c) => 0.9 * rv0[c] + 0.1 * v);
      expect(maxAbsDiff(w1.get(`${name}.running_mean`)!.v, wantMean)).toBeLessThan(1e-5);
      expect(maxAbsDiff(w1.get(`${name}.running_var`)!.v, wantVar)).toBeLessThan(1e-4);
    }
    const state = model.getState();
    expect(state.numBatchesTracked).toBe(1);
    disposeState(state);
    const evalAfter = model.forward(x, { training: false });
    const plainAfter = plainWrnForward(config, w1, plainInput, false);
    expect(maxAbsDiff(evalAfter.logits.dataSync(), plainAfter.logits)).toBeLessThan(1e-4);
    expect(maxAbsDiff(evalAfter.logits.dataSync(), plainEval.logits)).toBeGreaterThan(1e-3);
    tf.dispose([x, evalOut.logits, evalOut.features]);
    tf.dispose([evalAfter.logits, evalAfter.features]);
    model.dispose();
  });

  it('asLogitsFn in training mode discards the batch stats and leaks nothing', () => {
    const model = new WideResNet(config, 4);
    const x = tf.tensor4d(xData, [3, 32, 32, 3]);
    const s0 = model.getState();
    const before = tf.memory().numTensors;
    const g = tf.grad((inp: tf.Tensor) => tf.sum(asLogitsFn(model, true)(inp)))(x);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const s1 = model.getState();
    expect(
      maxAbsDiff(
        s1.tensors.get('bn1.running_mean')!.dataSync(),
        s0.tensors.get('bn1.running_mean')!.dataSync(),
      ),
    ).toBe(0);
    disposeState(s0);
    disposeState(s1);
    x.dispose();
    model.dispose();
  });
});

describe('WideResNet dropout', () => {
  it('is active only in training and is seeded', () => {
    const weightsFrom = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0 }), 8);
    const dropping = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0.5 }), 8);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const logits = (m: WideResNet, training: boolean, seed?: number) => {
      const out = m.forward(x, {
        training,
        rng: seed === undefined ? undefined : new Random(seed),
        collectStats: false,
      });
      const v = out.logits.dataSync().slice();
      tf.dispose([out.logits, out.features]);
      return v;
    };
    // Same seed → same weights; in eval, dropout is off, so the two models agree exactly.
    expect(maxAbsDiff(logits(dropping, false), logits(weightsFrom, false))).toBe(0);
    // In training, dropout changes the output, reproducibly for a seed.
    expect(maxAbsDiff(logits(dropping, true, 1), logits(weightsFrom, true))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(logits(dropping, true, 1), logits(dropping, true, 1))).toBe(0);
    expect(maxAbsDiff(logits(dropping, true, 1), logits(dropping, true, 2))).toBeGreaterThan(1e-3);
    expect(() => logits(dropping, true)).toThrow(/seeded rng/);
    x.dispose();
    weightsFrom.dispose();
    dropping.dispose();
  });
});

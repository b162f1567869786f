// A WideResNet's training step (hand-written passes) must do exactly what the autodiff step does, and stop
// cleanly when aborted.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../core/random';
import { useFastCpuConvFilterGradient } from '../models/wasmKernels';
import { WideResNet } from '../models/wrn';
import { wrnConfig } from '../models/wrnSpec';
import { normalizer } from './batches';
import { serializeModelState } from './checkpoint';
import { DEFAULT_CONFIG, type ExperimentConfig, type Method } from './config';
import { StepAbortController, StepAborted } from './interrupt';
import { Sgd } from './optim/sgd';
import { trainStep } from './step';
import type { TrainableClassifier } from './types';

const pre = normalizer([0.49, 0.48, 0.45], [0.25, 0.24, 0.26]);

/** The same model seen through a plain object: `trainStep` then takes the autodiff path. */
function viaAutodiff(m: WideResNet): TrainableClassifier {
  return {
    forward: (x, o) => m.forward(x, o),
    trainableVariables: () => m.trainableVariables(),
    applyBatchNormStats: (s) => m.applyBatchNormStats(s),
    getState: () => m.getState(),
    setState: (s) => m.setState(s),
  };
}

function batch() {
  const r = new Random(11);
  return {
    idX: tf.tidy(() => pre(tf.tensor4d(r.uniformArray(3 * 3072), [3, 32, 32, 3])) as tf.Tensor4D),
    idY: tf.tensor1d([2, 5, 9], 'int32'),
    outX: tf.tensor4d(r.uniformArray(2 * 3072), [2, 32, 32, 3]),
  };
}

async function stateArrays(m: WideResNet): Promise<Map<string, Float32Array>> {
  const s = await serializeModelState(m.getState());
  return new Map([...Object.entries(s.tensors)].map(([k, v]) => [k, v.values]));
}

let restore = () => {};
beforeAll(() => {
  restore = useFastCpuConvFilterGradient(); // both paths use it; checked against the stock kernel elsewhere
});
afterAll(() => restore());

describe('WideResNet training step', () => {
  it.each(['AOE', 'OE', 'CE'] as Method[])(
    '%s: the hand-written step gives autodiff’s loss, weights, optimizer state and BN statistics',
    async (method) => {
      const cfg: ExperimentConfig = {
        ...DEFAULT_CONFIG,
        method,
        epsilon: 0.3,
        idBatchSize: 3,
        outlierBatchSize: 2,
      };
      const a = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0.3 }), 4);
      const b = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0.3 }), 4);
      const opts = { lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: true };
      const optA = new Sgd(a.trainableVariables(), opts);
      const optB = new Sgd(b.trainableVariables(), opts);
      const data = batch();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) {
        const manual = await trainStep(a, optA, data, cfg, 0.05, new Random(i), pre);
        const auto = await trainStep(viaAutodiff(b), optB, data, cfg, 0.05, new Random(i), pre);
        expect(Math.abs(manual.loss - auto.loss), `step ${i}`).toBeLessThan(1e-5);
        expect(manual.correct).toBe(auto.correct);
      }
      const [sa, sb] = [await stateArrays(a), await stateArrays(b)];
      let worst = 0;
      for (const [k, va] of sa) {
        const vb = sb.get(k)!;
        for (let i = 0; i < va.length; i++) worst = Math.max(worst, Math.abs(va[i] - vb[i]));
      }
      expect(worst).toBeLessThan(1e-5);
      // Optimizer buffers (created on the first step) are the only new tensors.
      expect(tf.memory().numTensors - before).toBe(2 * a.trainableVariables().length);
      // The weights did move (else the comparison would be empty).
      const freshModel = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0.3 }), 4);
      const fresh = await stateArrays(freshModel);
      freshModel.dispose();
      expect(sa.get('conv1.weight')).not.toEqual(fresh.get('conv1.weight'));
      tf.dispose([data.idX, data.idY, data.outX]);
      [a, b].forEach((m) => m.dispose());
      [optA, optB].forEach((o) => o.dispose());
    },
  );

  it('an aborted step throws StepAborted, changes nothing and leaks nothing', async () => {
    const cfg: ExperimentConfig = { ...DEFAULT_CONFIG, method: 'AOE', idBatchSize: 3, outlierBatchSize: 2 };
    const m = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0.3 }), 4);
    const opt = new Sgd(m.trainableVariables(), {
      lr: 0.05,
      momentum: 0.9,
      weightDecay: 5e-4,
      nesterov: true,
    });
    const data = batch();
    await trainStep(m, opt, data, cfg, 0.05, new Random(0), pre); // optimizer buffers exist
    const state = await stateArrays(m);
    const before = tf.memory().numTensors;
    for (const after of [0, 2, 6, 12]) {
      const ctl = new StepAbortController();
      let n = 0;
      const yieldFn = async () => {
        if (++n > after) ctl.abort('cancel');
      };
      const step = trainStep(m, opt, data, cfg, 0.05, new Random(1), pre, {
        signal: ctl.signal,
        yieldFn,
        yieldEveryMs: 0, // yield at every interrupt point
      });
      if (after === 0) ctl.abort('cancel');
      await expect(step).rejects.toBeInstanceOf(StepAborted);
      expect(tf.memory().numTensors, `aborted after ${after} yields`).toBe(before);
    }
    expect(await stateArrays(m)).toEqual(state);
    tf.dispose([data.idX, data.idY, data.outX]);
    m.dispose();
    opt.dispose();
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tinyData } from '../../tests/train/fixtures';
import { Random } from '../core/random';
import { gatherImages, gatherLabels, normalizer, toImageTensor } from './batches';
import { serializeModelState } from './checkpoint';
import { DEFAULT_CONFIG, type ExperimentConfig } from './config';
import { Sgd } from './optim/sgd';
import { perturbOutliers } from './perturb';
import { trainStep } from './step';
import { TinyNet } from './tinyNet';
import type { ForwardOptions, ForwardResult } from '../models/types';

class SpyNet extends TinyNet {
  calls: { rows: number; training: boolean }[] = [];
  override forward(x: tf.Tensor4D, o: ForwardOptions): ForwardResult {
    this.calls.push({ rows: x.shape[0], training: o.training });
    return super.forward(x, o);
  }
}

const data = tinyData();
const pre = normalizer(data.normalization.mean, data.normalization.std);
const cfg: ExperimentConfig = {
  ...DEFAULT_CONFIG,
  method: 'AOE',
  epsilon: 0.1,
  idBatchSize: 4,
  outlierBatchSize: 3,
};

describe('AOE outlier perturbation', () => {
  it('moves every outlier pixel by exactly ε along −sign(∇E) and leaves the BN running stats alone', async () => {
    const model = new SpyNet(1, 3, 4, 2);
    const x = toImageTensor(gatherImages(data.outliers!, [0, 1, 2], null), data.outliers!);
    const before = (await serializeModelState(model.getState())).tensors;
    const xHat = perturbOutliers(model, x, cfg, new Random(1), pre);
    const diff = await tf.sub(xHat, x).data();
    expect(diff.every((d) => Math.abs(Math.abs(d) - 0.1) < 1e-6)).toBe(true);
    // Independent check of the direction: a small step along the result lowers the mean energy (train mode,
    // same dropout-free net), i.e. the outliers look more like inliers.
    const meanEnergy = (t: tf.Tensor) =>
      tf.tidy(
        () =>
          tf
            .mean(tf.neg(tf.logSumExp(model.forward(pre(t) as tf.Tensor4D, { training: true }).logits, 1)))
            .dataSync()[0],
      );
    expect(meanEnergy(xHat)).toBeLessThan(meanEnergy(x));
    const after = (await serializeModelState(model.getState())).tensors;
    expect(after.runMean.values).toEqual(before.runMean.values);
    expect(after.runVar.values).toEqual(before.runVar.values);
    expect(model.calls[0]).toEqual({ rows: 3, training: true });
    tf.dispose([x, xHat]);
    model.dispose();
  });

  it('one step runs ID + perturbed outliers through ONE train-mode forward pass and commits its BN stats', async () => {
    const model = new SpyNet(1, 3, 4, 2);
    const opt = new Sgd(model.trainableVariables(), {
      lr: 0.01,
      momentum: 0.9,
      weightDecay: 5e-4,
      nesterov: true,
    });
    const idX = pre(toImageTensor(gatherImages(data.train, [0, 1, 2, 3], null), data.train)) as tf.Tensor4D;
    const idY = tf.tensor1d(gatherLabels(data.train, [0, 1, 2, 3]), 'int32');
    const outX = toImageTensor(gatherImages(data.outliers!, [0, 1, 2], null), data.outliers!);
    const before = (await serializeModelState(model.getState())).tensors;
    const n0 = tf.memory().numTensors;
    const r = await trainStep(model, opt, { idX, idY, outX }, cfg, 0.01, new Random(3), pre);
    expect(tf.memory().numTensors).toBe(n0 + model.trainableVariables().length); // + momentum buffers only
    expect(r.applied).toBe(true);
    expect(model.calls).toEqual([
      { rows: 3, training: true }, // the attack on the outliers alone
      { rows: 7, training: true }, // ID ‖ perturbed outliers together
    ]);
    const after = (await serializeModelState(model.getState())).tensors;
    // Running mean moved by 0.1·(batch mean − running mean): nonzero since the running mean starts at 0.
    expect(after.runMean.values.some((v, i) => v !== before.runMean.values[i])).toBe(true);
    expect(after.fcW.values.some((v, i) => v !== before.fcW.values[i])).toBe(true);
    tf.dispose([idX, idY, outX]);
    opt.dispose();
    model.dispose();
  });
});

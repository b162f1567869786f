import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tinyData } from '../../tests/train/fixtures';
import { gatherImages } from './batches';
import { MemoryCheckpointStore } from './checkpoint';
import { DEFAULT_CONFIG, type ExperimentConfig } from './config';
import { Trainer } from './loop';
import { Random } from '../core/random';
import { perturbOutliers } from './perturb';
import { Sgd } from './optim/sgd';
import { epsilonInBothUnits, SETTING_TABLE, trainingPipeline, withSetting } from './settings';
import { TinyNet } from './tinyNet';
import type { ForwardOptions, ForwardResult } from '../models/types';

const PRETRAINED = {
  mean: [125.3 / 255, 123.0 / 255, 113.9 / 255] as const,
  std: [63.0 / 255, 62.1 / 255, 66.7 / 255] as const,
};

describe('ε in both units', () => {
  it('authors: ε is in network-input units; × the training std 0.2023/0.1994/0.2010 gives pixels', () => {
    const e = epsilonInBothUnits({ epsilon: 0.5, method: 'AOE', setting: 'authors' }, PRETRAINED);
    expect(e.native).toBe('input');
    expect(e.input).toEqual([0.5, 0.5, 0.5]);
    expect(e.pixel[0]).toBeCloseTo(0.10115, 12);
    expect(e.pixel[1]).toBeCloseTo(0.0997, 12);
    expect(e.pixel[2]).toBeCloseTo(0.1005, 12);
    expect(e.text).toBe('ε = 0.50 input units ≈ 0.10 px');
  });

  it('consistent: ε is in pixels; ÷ the model std (63.0/255 …) gives input units', () => {
    const e = epsilonInBothUnits({ epsilon: 0.5, method: 'AOE', setting: 'consistent' }, PRETRAINED);
    expect(e.native).toBe('pixel');
    expect(e.pixel).toEqual([0.5, 0.5, 0.5]);
    expect(e.input[0]).toBeCloseTo((0.5 * 255) / 63.0, 12);
    expect(e.input[2]).toBeCloseTo((0.5 * 255) / 66.7, 12);
    expect(e.text).toBe('ε = 0.50 px ≈ 2.00 input units');
  });

  it('OE + noise: the noise std is √ε in the paper mode (consistent), ε in the shared mode (authors)', () => {
    const paper = epsilonInBothUnits({ epsilon: 0.25, method: 'OE+noise', noiseMode: 'paper' }, PRETRAINED);
    expect(paper.quantity).toBe('noise std');
    expect(paper.pixel).toEqual([0.5, 0.5, 0.5]);
    // The authors' setting fixes noiseMode 'code' whatever the config says.
    const a = epsilonInBothUnits(
      { epsilon: 0.25, method: 'OE+noise', noiseMode: 'paper', setting: 'authors' },
      PRETRAINED,
    );
    expect(a.input).toEqual([0.25, 0.25, 0.25]);
    expect(epsilonInBothUnits({ epsilon: 0.3, method: 'OE' }, PRETRAINED).quantity).toBe('none');
  });
});

describe('setting table', () => {
  it('withSetting applies what the authors’ code fixes and leaves the consistent config alone', () => {
    const c = { ...DEFAULT_CONFIG, noiseMode: 'paper' as const, oeReduction: 'separate' as const };
    expect(withSetting(c, 'authors')).toMatchObject({
      setting: 'authors',
      noiseMode: 'code',
      oeReduction: 'whole-batch',
      clamp: false,
    });
    expect(withSetting(c, 'consistent')).toEqual({ ...c, setting: 'consistent' });
  });

  it('pipelines: authors keep 9,984 outliers and feed them raw; consistent uses all, normalised', () => {
    const a = trainingPipeline({ setting: 'authors' }, PRETRAINED);
    expect(a.outlierNorm).toBeNull();
    expect(a.idNorm.std).toEqual([0.2023, 0.1994, 0.201]);
    expect(a.outliersUsed(10000)).toBe(9984);
    expect(a.outliersUsed(300)).toBe(300);
    const c = trainingPipeline({ setting: 'consistent' }, PRETRAINED);
    expect(c.outlierNorm).toBe(PRETRAINED);
    expect(c.outliersUsed(10000)).toBe(10000);
    expect(SETTING_TABLE.authors.noiseOodCount).toBe(500);
  });
});

describe('OE + noise under each setting', () => {
  it('authors: one ε·N(0, I) pattern shared by the batch (std ε); consistent: i.i.d. with variance ε', () => {
    const model = new TinyNet(1, 3, 4, 2);
    const x = tf.zeros([64, 8, 8, 3]) as tf.Tensor4D;
    const cfg = { ...DEFAULT_CONFIG, method: 'OE+noise' as const, epsilon: 0.25 };
    const shared = perturbOutliers(model, x, withSetting(cfg, 'authors'), new Random(5), (t) => t);
    const iid = perturbOutliers(model, x, withSetting(cfg, 'consistent'), new Random(5), (t) => t);
    const per = 8 * 8 * 3;
    const a = shared.dataSync();
    const b = iid.dataSync();
    for (let i = per; i < a.length; i++) expect(a[i]).toBe(a[i % per]);
    expect(b.slice(per, 2 * per)).not.toEqual(b.slice(0, per));
    const sd = (v: Float32Array) => Math.sqrt(v.reduce((s, u) => s + u * u, 0) / v.length);
    expect(sd(a.slice(0, per) as Float32Array)).toBeGreaterThan(0.25 * 0.8);
    expect(sd(a.slice(0, per) as Float32Array)).toBeLessThan(0.25 * 1.2);
    expect(sd(b as Float32Array)).toBeGreaterThan(0.5 * 0.95); // std √0.25 over 12,288 draws
    expect(sd(b as Float32Array)).toBeLessThan(0.5 * 1.05);
    tf.dispose([x, shared, iid]);
    model.dispose();
  });
});

/** Records the input of every train-mode forward pass that sees ID + outliers together. */
class SpyNet extends TinyNet {
  inputs: Float32Array[] = [];
  override forward(x: tf.Tensor4D, o: ForwardOptions): ForwardResult {
    if (o.training && o.collectStats !== false) this.inputs.push(x.dataSync().slice() as Float32Array);
    return super.forward(x, o);
  }
}

async function firstStepInput(config: ExperimentConfig): Promise<Float32Array> {
  const data = tinyData();
  const model = new SpyNet(3, 3, 4, 2);
  const optimizer = new Sgd(model.trainableVariables(), { lr: 0.01, momentum: 0.9 });
  const trainer = new Trainer(model, data, config, {
    runId: 'r',
    store: new MemoryCheckpointStore(),
    optimizer,
  });
  const before = tf.memory().numTensors;
  await trainer.run();
  expect(tf.memory().numTensors - before).toBeLessThanOrEqual(model.trainableVariables().length);
  model.dispose();
  optimizer.dispose();
  return model.inputs[0];
}

describe('Trainer under each setting', () => {
  const config: ExperimentConfig = {
    ...DEFAULT_CONFIG,
    model: 'tiny',
    method: 'OE',
    epochs: 1,
    subsetSize: 4,
    idBatchSize: 4,
    outlierBatchSize: 3,
    augment: false,
  };

  for (const setting of ['consistent', 'authors'] as const) {
    it(`${setting}: ID rows and outlier rows enter the network as the table says`, async () => {
      const data = tinyData();
      const got = await firstStepInput({ ...config, setting });
      const per = 8 * 8 * 3;
      expect(got.length).toBe(7 * per);
      const pipe = trainingPipeline({ setting }, data.normalization);
      // The first ID batch is a seeded permutation; check every ID row is SOME training image under idNorm,
      // and the outliers are outliers 0..2 (in order) raw or normalised.
      const norm = (v: number, i: number, n: { mean: readonly number[]; std: readonly number[] }) =>
        (v - n.mean[i % 3]) / n.std[i % 3];
      const train = gatherImages(data.train, [0, 1, 2, 3], null);
      for (let r = 0; r < 4; r++) {
        const row = got.subarray(r * per, (r + 1) * per);
        const match = [0, 1, 2, 3].some((k) =>
          row.every((v, i) => Math.abs(v - norm(train[k * per + i], i, pipe.idNorm)) < 1e-5),
        );
        expect(match, `ID row ${r} under ${setting}`).toBe(true);
      }
      const out = gatherImages(data.outliers!, [0, 1, 2], null);
      const outRows = got.subarray(4 * per);
      for (let i = 0; i < out.length; i++) {
        const want = pipe.outlierNorm ? norm(out[i], i, pipe.outlierNorm) : out[i];
        expect(Math.abs(outRows[i] - want)).toBeLessThan(1e-5);
      }
    });
  }
});

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tinyData } from '../../tests/train/fixtures';
import { oodMetrics } from '../core/metrics';
import { gatherImages, normalizer, toImageTensor } from './batches';
import { evaluate } from './evaluate';
import { TinyNet } from './tinyNet';

describe('evaluate', () => {
  it('accuracy and Energy/MSP metrics match a direct eval-mode forward pass scored by hand', async () => {
    const data = tinyData();
    const model = new TinyNet(5, 3, 4, 2);
    const n0 = tf.memory().numTensors;
    const r = await evaluate(model, data);
    expect(tf.memory().numTensors).toBe(n0);
    const pre = normalizer(data.normalization.mean, data.normalization.std);
    const logitsOf = (set: typeof data.test) =>
      tf.tidy(() => {
        const idx = Array.from({ length: set.n }, (_, i) => i);
        const x = pre(toImageTensor(gatherImages(set, idx, null), set)) as tf.Tensor4D;
        return model.forward(x, { training: false }).logits.arraySync() as number[][];
      });
    const id = logitsOf(data.test);
    const ood = logitsOf(data.oodTests.noise);
    const lse = (l: number[]) => {
      const m = Math.max(...l);
      return m + Math.log(l.reduce((s, v) => s + Math.exp(v - m), 0));
    };
    const correct = id.filter((l, i) => (l[1] > l[0] ? 1 : 0) === data.test.labels![i]).length;
    expect(r.accuracy).toBeCloseTo(correct / id.length, 12);
    const energy = [...id, ...ood].map((l) => -lse(l));
    const msp = [...id, ...ood].map((l) => -Math.exp(Math.max(...l) - lse(l)));
    const labels = [...id.map(() => 0), ...ood.map(() => 1)];
    expect(r.metrics.noise.Energy.AUROC).toBeCloseTo(oodMetrics(energy, labels).AUROC, 5);
    expect(r.metrics.noise.MSP.AUROC).toBeCloseTo(oodMetrics(msp, labels).AUROC, 5);
    model.dispose();
  });
});

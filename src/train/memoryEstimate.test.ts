import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { outlierExposureLoss } from '../core/losses';
import { Random } from '../core/random';
import { WideResNet } from '../models/wrn';
import { wrnLossAndGradients } from '../models/wrnBackprop';
import { wrnConfig } from '../models/wrnSpec';
import { estimateStepMemory, stepMemoryProblem } from './memoryEstimate';

describe('step memory estimate', () => {
  it('counts exactly the bytes the hand-written training pass keeps for its backward pass', async () => {
    const model = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0.3 }), 1);
    const x = tf.tensor4d(new Random(1).uniformArray(6 * 3072), [6, 32, 32, 3]);
    const y = tf.tensor1d([1, 2, 3], 'int32');
    const before = tf.memory().numBytes;
    let keptAtPeakOfForward = 0;
    let calls = 0;
    const between = async () => {
      // WRN-10-1 has 3 blocks: call 4 comes after the forward pass and the loss, before any backward work.
      if (++calls === 4) {
        keptAtPeakOfForward = tf.memory().numBytes - before;
        throw new Error('measured');
      }
    };
    const loss = (l: tf.Tensor2D) => {
      const [a, b] = tf.split(l, 2);
      return outlierExposureLoss(a as tf.Tensor2D, y, b as tf.Tensor2D, 0.5, 'separate');
    };
    await expect(
      wrnLossAndGradients(model, x, loss, {
        inputGrad: false,
        weightGrads: true,
        collectStats: false,
        rng: new Random(2),
        between,
      }),
    ).rejects.toThrow('measured');
    const e = estimateStepMemory(model.config, 3, 3, 'OE', 'cpu');
    // Activations kept + small per-channel statistics, logits, pooled features, loss and its gradient.
    const small = keptAtPeakOfForward - e.savedBytes;
    expect(small).toBeGreaterThanOrEqual(0);
    expect(small).toBeLessThan(0.01 * e.savedBytes);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('grows with the batch, counts outliers except for CE, and refuses what WASM cannot hold', () => {
    const at = (b: number, m: 'CE' | 'OE' | 'AOE' | 'AOE-PGD', name: 'WRN-16-2' | 'WRN-40-2' = 'WRN-16-2') =>
      estimateStepMemory(name, b, b, m, 'wasm');
    expect(at(64, 'AOE').bytes).toBeLessThan(at(128, 'AOE').bytes);
    expect(at(128, 'CE').savedBytes * 2).toBeCloseTo(at(128, 'OE').savedBytes, 0);
    expect(at(128, 'AOE').bytes).toBe(at(128, 'OE').bytes); // the attack is freed before the training pass
    expect(at(128, 'AOE-PGD').bytes).toBeGreaterThan(at(128, 'AOE').bytes); // autodiff attack
    // The paper's recipe on the browser model fits under 2 GB; WRN-40-2 at 256 + 256 with PGD cannot fit.
    expect(at(128, 'AOE').bytes).toBeLessThan(2e9);
    expect(at(256, 'AOE-PGD', 'WRN-40-2').fits).toBe(false);
    const verdict = stepMemoryProblem(
      { config: wrnConfig('WRN-40-2') },
      { idBatchSize: 256, outlierBatchSize: 256, method: 'AOE-PGD' },
      'wasm',
    );
    expect(verdict?.fatal).toBe(true);
    expect(verdict?.message).toMatch(/more than the WASM backend can hold/);
    expect(
      stepMemoryProblem({}, { idBatchSize: 1e6, outlierBatchSize: 1e6, method: 'OE' }, 'wasm'),
    ).toBeNull();
  });
});

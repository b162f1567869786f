import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { buildToyData } from './data';
import { defaultToyParams, type ToyParams } from './params';
import { epsilonSweep } from './sweep';
import { ToyRun } from './trainer';

const small: ToyParams = {
  ...defaultToyParams(),
  size: 40,
  nOutliers: 40,
  width: 6,
  batch: 40,
  grid: 20,
  steps: 6,
};

describe('ε sweep', () => {
  it('trains ε = 0 once for both methods, matches a direct run, and leaks nothing', async () => {
    const data = buildToyData(small);
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const pts = await epsilonSweep(data, small, {
      epsilons: [0, 0.5],
      onPoint: (_p, done, total) => progress.push(done / total),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(pts.map((p) => `${p.method}@${p.epsilon}`)).toEqual([
      'AOE@0',
      'OE+noise@0',
      'AOE@0.5',
      'OE+noise@0.5',
    ]);
    expect(progress).toEqual([1 / 3, 2 / 3, 1]);
    // The AOE@0.5 point equals a fresh run trained the same way (same start, same batches).
    const run = new ToyRun(data, { ...small, method: 'AOE', epsilon: 0.5 });
    run.train(small.steps);
    const ev = run.evaluate(20, small.view);
    run.dispose();
    expect(pts[2].acceptedArea).toBe(ev.acceptedArea);
    expect(pts[2].AUROC).toBe(ev.AUROC);
  });

  it('stops when asked, keeping the points so far', async () => {
    const data = buildToyData(small);
    let n = 0;
    const pts = await epsilonSweep(data, small, { onPoint: () => n++, shouldStop: () => n >= 2 });
    expect(n).toBe(2);
    expect(pts.length).toBe(3); // ε = 0 (both methods) + one more run
  });
});

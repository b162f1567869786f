import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LocalSgd } from './localSgd';

describe('LocalSgd', () => {
  it('matches PyTorch SGD(nesterov, momentum, coupled weight decay) written out by hand', async () => {
    const p0 = [1.0, -2.0, 0.5];
    const grads = [
      [0.1, 0.2, -0.3],
      [-0.5, 0.0, 0.25],
      [0.3, -0.1, 0.05],
    ];
    const lrs = [0.1, 0.05, 0.01];
    const mu = 0.9;
    const wd = 5e-4;
    // Reference: torch.optim.SGD step with nesterov=True, dampening 0.
    const p = p0.slice();
    const buf = [0, 0, 0];
    grads.forEach((g, s) => {
      for (let i = 0; i < 3; i++) {
        const gi = g[i] + wd * p[i];
        buf[i] = s === 0 ? gi : mu * buf[i] + gi;
        p[i] -= lrs[s] * (gi + mu * buf[i]);
      }
    });
    const v = tf.variable(tf.tensor1d(p0));
    const opt = new LocalSgd(mu, wd, true);
    const before = tf.memory().numTensors;
    grads.forEach((g, s) => {
      const gt = tf.tensor1d(g);
      opt.step([v], [gt], lrs[s]);
      gt.dispose();
      if (s === 0) expect(tf.memory().numTensors).toBe(before + 1); // one momentum buffer
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    const got = await v.data();
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(p[i], 6);
    const state = await opt.getState();
    for (let i = 0; i < 3; i++) expect(state[0].values[i]).toBeCloseTo(buf[i], 6);
    opt.dispose();
    v.dispose();
  });
});

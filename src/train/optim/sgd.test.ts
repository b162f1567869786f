import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Sgd } from './sgd';

/** PyTorch's SGD update written out in plain numbers (dampening 0). */
function plainSgd(
  p: number[],
  grads: number[][],
  lr: number,
  momentum: number,
  wd: number,
  nesterov: boolean,
): number[] {
  const buf: number[] = [];
  for (const g of grads) {
    const d = g.map((gi, i) => gi + wd * p[i]);
    let step = d;
    if (momentum !== 0) {
      const first = buf.length === 0;
      d.forEach((di, i) => (buf[i] = first ? di : momentum * buf[i] + di));
      step = nesterov ? d.map((di, i) => di + momentum * buf[i]) : buf.slice();
    }
    p = p.map((pi, i) => pi - lr * step[i]);
  }
  return p;
}

describe('Sgd (PyTorch semantics)', () => {
  const p0 = [0.5, -1.25, 2, 0.1];
  const grads = [
    [0.3, -0.2, 0.05, 1],
    [-0.1, 0.4, 0.2, -0.5],
    [0.7, 0.1, -0.3, 0.25],
  ];
  it.each([
    { momentum: 0.9, wd: 5e-4, nesterov: true },
    { momentum: 0.9, wd: 0, nesterov: false },
    { momentum: 0, wd: 1e-2, nesterov: false },
  ])('matches the plain update over three steps (%o) without leaking', ({ momentum, wd, nesterov }) => {
    const v = tf.variable(tf.tensor1d(p0), true, `sgd-test-${momentum}-${wd}-${nesterov}`);
    const opt = new Sgd([v], { lr: 0.1, momentum, weightDecay: wd, nesterov });
    const counts: number[] = [];
    for (const g of grads) {
      const gt = tf.tensor1d(g);
      opt.step({ [v.name]: gt });
      gt.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    const want = plainSgd(p0, grads, 0.1, momentum, wd, nesterov);
    const got = Array.from(v.dataSync());
    got.forEach((x, i) => expect(x).toBeCloseTo(want[i], 6));
    opt.dispose();
    v.dispose();
  });

  it('rejects nesterov without momentum and ignores variables without gradients', () => {
    const v = tf.variable(tf.tensor1d([1]), true, 'sgd-test-none');
    expect(() => new Sgd([v], { lr: 1, nesterov: true })).toThrow(/momentum/);
    const opt = new Sgd([v], { lr: 1, momentum: 0.9 });
    opt.step({});
    expect(v.dataSync()[0]).toBe(1);
    opt.dispose();
    v.dispose();
  });
});

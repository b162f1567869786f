import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Random } from '../core/random';
import { Mlp, initMlpWeights } from './mlp';

describe('Mlp gradient (hand-written dense-layer backward)', () => {
  it('matches tfjs autodiff of a plain matMul + add + relu network, for the input and every parameter', () => {
    const cfg = { inputDim: 2, width: 16, depth: 2, outputDim: 3, activation: 'relu' as const };
    const w = initMlpWeights(cfg, new Random(5));
    // Non-zero biases, so the bias gradients and ReLU masks are exercised away from the zero-bias start.
    const rb = new Random(6);
    for (const i of [1, 3, 5]) w[i] = rb.uniformArray(w[i].length, -0.5, 0.5);
    const m = new Mlp(cfg, w);
    const rng = new Random(7);
    const x = tf.tensor2d(rng.uniformArray(40 * 2, -3, 3), [40, 2]);
    const r = tf.tensor2d(rng.uniformArray(40 * 3, -1, 1), [40, 3]);
    const before = tf.memory().numTensors;
    const reference = (xi: tf.Tensor2D, ...p: tf.Tensor[]) => {
      let h = xi;
      for (let l = 0; l < 3; l++) {
        h = tf.add(tf.matMul(h, p[2 * l] as tf.Tensor2D), p[2 * l + 1]);
        if (l < 2) h = tf.relu(h);
      }
      return tf.sum(tf.mul(h, r));
    };
    const ours = (xi: tf.Tensor2D) => tf.sum(tf.mul(m.apply(xi), r));
    const vars = m.variables;
    const [gx, gRef] = tf.tidy(() => {
      const g = tf.grads((xi: tf.Tensor, ...p: tf.Tensor[]) => reference(xi as tf.Tensor2D, ...p));
      const refAll = g([x, ...vars]).map((t) => Array.from(t.dataSync()));
      const oursX = Array.from(
        tf
          .grad((xi: tf.Tensor) => ours(xi as tf.Tensor2D))(x)
          .dataSync(),
      );
      const { grads } = tf.variableGrads(() => ours(x) as tf.Scalar, vars);
      const oursVars = vars.map((v) => Array.from(grads[v.name].dataSync()));
      return [[oursX, ...oursVars], refAll];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(gx.length).toBe(7);
    gx.forEach((g, i) => {
      expect(g.length).toBe(gRef[i].length);
      expect(g.some((v) => v !== 0)).toBe(true);
      g.forEach((v, j) => expect(v).toBeCloseTo(gRef[i][j], 4));
    });
    m.dispose();
    x.dispose();
    r.dispose();
  });

  it('applyInputGrad: same logits and the same input gradient as apply, leaking nothing', () => {
    const cfg = { inputDim: 2, width: 16, depth: 2, outputDim: 3, activation: 'relu' as const };
    const w = initMlpWeights(cfg, new Random(8));
    const rb = new Random(9);
    for (const i of [1, 3, 5]) w[i] = rb.uniformArray(w[i].length, -0.5, 0.5);
    const m = new Mlp(cfg, w);
    const x = tf.tensor2d(new Random(10).uniformArray(30 * 2, -3, 3), [30, 2]);
    const before = tf.memory().numTensors;
    const [ya, yb, ga, gb] = tf.tidy(() => {
      const e = (f: typeof m.apply) => (xi: tf.Tensor) => tf.neg(tf.sum(tf.logSumExp(f(xi), 1)));
      return [
        m.apply(x).dataSync(),
        m.applyInputGrad(x).dataSync(),
        tf.grad(e(m.apply))(x).dataSync(),
        tf.grad(e(m.applyInputGrad))(x).dataSync(),
      ];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(yb)).toEqual(Array.from(ya));
    expect(ga.some((v) => v !== 0)).toBe(true);
    ga.forEach((v, i) => expect(gb[i]).toBeCloseTo(v, 5));
    m.dispose();
    x.dispose();
  });
});

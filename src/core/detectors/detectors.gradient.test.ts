import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { fromRows } from '../linalg';
import {
  Mahalanobis,
  mahalanobisPreprocess,
  matrixFromTensor,
  ODIN,
  odinPreprocess,
  signStep,
} from './index';
import { odinPredicted } from '../perturbations/odin';

// A linear "network" on NHWC inputs [N, 1, 1, 3]: f(x) = x·Aᵀ + c. ∇ₓ f_ŷ = A_ŷ, so every step is hand-checkable.
const A = [
  [0.5, -1, 2],
  [-0.3, 0.7, -0.2],
  [1.5, 0.1, -0.4],
];
const c = [0.2, -0.1, 0];
const model = (x: tf.Tensor) =>
  tf.tidy(
    () =>
      tf.add(tf.matMul(tf.reshape(x, [-1, 3]), tf.tensor2d(A), false, true), tf.tensor1d(c)) as tf.Tensor2D,
  );
const xs = [
  [1, 0.5, 0.2], // logits 1.7, −0.15, 1.57 → ŷ = 0
  [-1, 1, 0], // ŷ = 1
  [2, 0, -1], // ŷ = 2
];
const logitsOf = (x: number[]) => A.map((a, k) => a.reduce((s, v, j) => s + v * x[j], c[k]));
const argmax = (v: number[]) => v.indexOf(Math.max(...v));
const sign = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);

describe('ODIN (pytorch-ood as coded)', () => {
  it('odinPreprocess raises the predicted logit: x̂ = x + eps·sign(A_ŷ)/std, leaking nothing', () => {
    const std = [0.25, 0.5, 2];
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(xs.flat(), [3, 1, 1, 3]);
    const xHat = odinPreprocess(model, x, { epsilon: 0.01, temperature: 1000, normStd: std });
    const got = Array.from(xHat.dataSync());
    x.dispose();
    xHat.dispose();
    expect(tf.memory().numTensors).toBe(before);
    xs.forEach((xi, i) => {
      const y = argmax(logitsOf(xi));
      xi.forEach((v, j) => expect(got[i * 3 + j]).toBeCloseTo(v + (0.01 * sign(A[y][j])) / std[j], 6));
    });
  });

  it('ODIN.score = −max softmax(f(x̂)) at T = 1 (temperature not reapplied), leaking nothing', () => {
    const eps = 0.05;
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(xs.flat(), [3, 1, 1, 3]);
    const s = new ODIN(model, { epsilon: eps, temperature: 1000 }).score({ inputs: x });
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    xs.forEach((xi, i) => {
      const y = argmax(logitsOf(xi));
      const l = logitsOf(xi.map((v, j) => v + eps * sign(A[y][j])));
      const m = Math.max(...l);
      expect(s[i]).toBeCloseTo(-1 / l.reduce((acc, v) => acc + Math.exp(v - m), 0), 6);
    });
    expect(() => new ODIN(model).score({})).toThrow(/needs inputs/);
  });

  it('given the clean logits, ODIN skips the clean forward and scores exactly as without them', () => {
    // Random inputs and logits whose /T ties decide ŷ: odinPredicted must break them as tf.argMax does.
    const x = tf.randomNormal([64, 1, 1, 3], 0, 3, 'float32', 7) as tf.Tensor4D;
    const logits = model(x);
    const l = { data: logits.dataSync() as Float32Array, rows: 64, cols: 3 };
    const calls: number[] = [];
    const counting = (t: tf.Tensor) => (calls.push(t.shape[0]), model(t));
    const odin = new ODIN(counting, { epsilon: 0.02, temperature: 1000, normStd: [0.3, 0.2, 0.4] });
    const plain = odin.score({ inputs: x });
    const plainCalls = calls.length;
    calls.length = 0;
    const before = tf.memory().numTensors;
    const withLogits = odin.score({ inputs: x, logits: l });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(withLogits)).toEqual(Array.from(plain));
    expect(calls.length).toBe(plainCalls - 1); // one forward pass (the clean one) fewer
    const ties = { data: new Float32Array([1, 1.0000001, 0, 2, 2, 1]), rows: 2, cols: 3 };
    expect(Array.from(odinPredicted(ties.data, 2, 3, 1000))).toEqual(
      Array.from(tf.argMax(tf.div(tf.tensor2d(ties.data, [2, 3]), 1000), 1).dataSync()),
    );
    expect(() => odin.score({ inputs: x, logits: { ...l, rows: 3 } })).toThrow(/rows of logits/);
    tf.dispose([x, logits]);
  });
});

describe('Mahalanobis input preprocessing', () => {
  it('moves x towards its nearest class mean: x̂ = x − eps·sign(P(z − μ_k*)) [/ std], leaking nothing', () => {
    // diagonal covariance toy (see detectors.hand.test.ts): P is diagonal and positive, so sign(P·v) = sign(v)
    const base = [
      [1, 0, 0],
      [-1, 0, 0],
      [0, 2, 0],
      [0, -2, 0],
      [0, 0, 3],
      [0, 0, -3],
    ];
    const det = new Mahalanobis();
    det.fit({
      features: fromRows([...base, ...base.map((r) => r.map((v) => v + 10))]),
      labels: [...base.map(() => 0), ...base.map(() => 1)],
    });
    const pts = [
      [1, -2, 0.5], // nearest mean 0
      [9, 12, 10.5], // nearest mean 10
    ];
    const std = [1, 2, 4];
    const features = (x: tf.Tensor) => tf.reshape(x, [-1, 3]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(pts.flat(), [2, 1, 1, 3]);
    const xHat = mahalanobisPreprocess(features, x, det, { epsilon: 0.1, normStd: std });
    const got = Array.from(xHat.dataSync());
    x.dispose();
    xHat.dispose();
    expect(tf.memory().numTensors).toBe(before);
    pts.forEach((p, i) => {
      const mu = i === 0 ? 0 : 10;
      p.forEach((v, j) => expect(got[i * 3 + j]).toBeCloseTo(v - (0.1 * sign(v - mu)) / std[j], 6));
    });
    // and the score of x̂ is lower (closer) than that of x
    const s0 = det.score({ features: fromRows(pts) });
    const s1 = det.score({ features: { data: Float32Array.from(got), rows: 2, cols: 3 } });
    expect(s1[0]).toBeLessThan(s0[0]);
    expect(s1[1]).toBeLessThan(s0[1]);
  });

  it('signStep leaks nothing and checks the std length', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[1, -2]]);
    const g = tf.tensor2d([[-3, 0]]);
    const y = signStep(x, g, 0.5);
    expect(Array.from(y.dataSync())).toEqual([1.5, -2]);
    expect(() => signStep(x, g, 0.5, [1, 2, 3])).toThrow(/normStd has 3 entries/);
    tf.dispose([x, g, y]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('matrixFromTensor', () => {
  it('reads a float32 [N, K] tensor row-major and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const t = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const m = await matrixFromTensor(t);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect([m.rows, m.cols, ...m.data]).toEqual([2, 3, 1, 2, 3, 4, 5, 6]);
  });
});

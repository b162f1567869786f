/**
 * The fast engine (hand-written WebAssembly kernels) against the tfjs reference (core tfjs functions, tfjs
 * autodiff) on the same weights and data: loss values and parameter gradients to fp32 tolerance, the AOE step's
 * sign pattern exactly, PGD/noise perturbations, and whole short training trajectories for every method.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random';
import { outlierExposureLoss, crossEntropy } from '../../core/losses';
import { energyGradientStep } from '../../core/perturbations';
import { FastMlp } from '../../models/fastMlp/fastMlp';
import { oeLossGrad } from '../../models/fastMlp/losses';
import { Mlp, initMlpWeights, MLP_ACTIVATIONS, type MlpConfig } from '../../models/mlp';
import { buildToyData } from './data';
import { defaultToyParams, TOY_METHODS, type ToyParams } from './params';
import { ToyRun } from './trainer';
import { TfjsToyRun } from './trainerTfjs';

/** |a − b| ≤ atol + rtol·|b| elementwise; returns the worst excess ratio for the message. */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number, what: string) {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  expect(worst, `${what}: worst |Δ| / (atol + rtol·|ref|)`).toBeLessThanOrEqual(1);
}

describe('fast engine vs tfjs autodiff: loss and parameter gradients', () => {
  for (const activation of MLP_ACTIVATIONS) {
    for (const [width, depth, k] of [
      [64, 2, 3],
      [10, 3, 5],
    ]) {
      it(`${activation}, 2-${width}×${depth}-${k}, 37 ID + 29 outlier rows, λ = 0.7`, () => {
        const cfg: MlpConfig = { inputDim: 2, width, depth, outputDim: k, activation };
        const rng = new Random(3 + width);
        const w = initMlpWeights(cfg, rng);
        // Non-zero biases so that every parameter has a generic gradient.
        for (let l = 1; l < w.length; l += 2) w[l] = rng.uniformArray(w[l].length, -0.3, 0.3);
        const nId = 37;
        const nOut = 29;
        const x = rng.uniformArray(2 * (nId + nOut), -3, 3);
        const y = Int32Array.from({ length: nId }, () => rng.int(k));
        const lambda = 0.7;
        // Fast engine.
        const net = new FastMlp(cfg, w, 128);
        net.setInputPoints(x);
        net.forward(nId + nOut);
        const rows = nId + nOut;
        const loss = oeLossGrad(
          net.logitsView(rows),
          net.logitStride,
          k,
          y,
          nId,
          nOut,
          lambda,
          net.dLogitsView(rows),
        );
        net.backward(rows, true, false);
        const grads = net.getGradients();
        // tfjs: the core loss differentiated by autodiff.
        const mlp = new Mlp(cfg, w);
        const { value, grads: ref } = tf.variableGrads(() => {
          const logits = mlp.apply(tf.tensor2d(x, [rows, 2]));
          const id = tf.slice(logits, [0, 0], [nId, -1]) as tf.Tensor2D;
          const ood = tf.slice(logits, [nId, 0], [-1, -1]) as tf.Tensor2D;
          return outlierExposureLoss(id, tf.tensor1d(y, 'int32'), ood, lambda);
        }, mlp.variables);
        expect(Math.abs(loss - value.dataSync()[0])).toBeLessThan(1e-5 * Math.abs(loss));
        mlp.variables.forEach((v, i) => {
          const g = ref[v.name].dataSync();
          const scale = Math.max(...Array.from(g, Math.abs));
          expectClose(grads[i], g, 1e-5 * scale, 1e-4, `∂loss/∂θ[${i}]`);
        });
        tf.dispose([value, ...Object.values(ref)]);
        mlp.dispose();
      });
    }
  }

  it('CE only (no outliers) matches core crossEntropy and its gradient', () => {
    const cfg: MlpConfig = { inputDim: 2, width: 16, depth: 2, outputDim: 3, activation: 'relu' };
    const rng = new Random(8);
    const w = initMlpWeights(cfg, rng);
    const x = rng.uniformArray(2 * 21, -2, 2);
    const y = Int32Array.from({ length: 21 }, () => rng.int(3));
    const net = new FastMlp(cfg, w, 32);
    net.setInputPoints(x);
    net.forward(21);
    const loss = oeLossGrad(net.logitsView(21), net.logitStride, 3, y, 21, 0, 0.5, net.dLogitsView(21));
    net.backward(21, true, false);
    const mlp = new Mlp(cfg, w);
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(mlp.apply(tf.tensor2d(x, [21, 2])), tf.tensor1d(y, 'int32')),
      mlp.variables,
    );
    expect(Math.abs(loss - value.dataSync()[0])).toBeLessThan(1e-5 * loss);
    net.getGradients().forEach((g, i) => {
      const r = grads[mlp.variables[i].name].dataSync();
      expectClose(g, r, 1e-5 * Math.max(...Array.from(r, Math.abs)), 1e-4, `CE ∂θ[${i}]`);
    });
    tf.dispose([value, ...Object.values(grads)]);
    mlp.dispose();
  });
});

const small: ToyParams = { ...defaultToyParams(), size: 80, nOutliers: 70, width: 24, grid: 20 };

describe('fast engine vs tfjs engine: perturbations', () => {
  it('AOE: the same x − ε·sign(∇ₓ mean E) as core energyGradientStep, sign pattern identical', () => {
    const data = buildToyData(small);
    const run = new ToyRun(data, { ...small, method: 'AOE', epsilon: 0.5 });
    run.train(30); // a trained model, not the initial one
    const mlp = new Mlp(run.model.config, run.model.getWeights());
    const x = tf.tensor2d(data.outliers, [data.outliers.length / 2, 2]);
    const ref = energyGradientStep(mlp.apply, x, { epsilon: 0.5 });
    const refGrad = tf.tidy(() =>
      tf
        .grad((t: tf.Tensor) => tf.mean(tf.neg(tf.logSumExp(mlp.apply(t), 1))))(x)
        .dataSync(),
    );
    const got = run.perturbPoints(data.outliers, new Random(1));
    const r = ref.dataSync();
    const scale = Math.max(...Array.from(refGrad, Math.abs));
    let compared = 0;
    for (let i = 0; i < got.length; i++) {
      // Gradient entries within fp32 noise of 0 may legitimately differ in sign; none of the others may.
      if (Math.abs(refGrad[i]) < 1e-5 * scale) continue;
      compared++;
      expect(got[i]).toBe(r[i]);
    }
    expect(compared).toBeGreaterThan(0.95 * got.length);
    tf.dispose([x, ref]);
    mlp.dispose();
  });

  for (const method of ['AOE-PGD', 'OE+noise'] as const) {
    it(`${method}: same random draws and the same perturbed points as the tfjs engine`, () => {
      const data = buildToyData(small);
      const s = { ...small, method, epsilon: 0.4, pgdSteps: 4 };
      const fast = new ToyRun(data, s);
      const ref = new TfjsToyRun(data, s);
      fast.train(10);
      ref.train(10);
      const a = fast.perturbPoints(data.outliers, new Random(5));
      const b = ref.perturbPoints(data.outliers, new Random(5));
      // After 10 steps the two models differ by fp32 rounding only: PGD iterates may differ where a gradient
      // sign is within that noise, by at most the L∞ ball's diameter; nearly all entries must agree.
      let same = 0;
      a.forEach((v, i) => {
        expect(Math.abs(v - b[i])).toBeLessThanOrEqual(2 * s.epsilon + 1e-6);
        if (Math.abs(v - b[i]) < 1e-5) same++;
      });
      expect(same).toBeGreaterThan(0.97 * a.length);
      ref.dispose();
    });
  }
});

describe('fast engine vs tfjs engine: training trajectories', () => {
  const cases: [string, Partial<ToyParams>][] = [
    ...TOY_METHODS.map((m) => [m, { method: m, epsilon: 0.3 }] as [string, Partial<ToyParams>]),
    [
      'AOE, minibatch 32, weight decay, tanh',
      { method: 'AOE', epsilon: 0.3, batch: 32, wd: 0.01, activation: 'tanh' },
    ],
    ['AOE-PGD, ELU, cosine over 20 steps', { method: 'AOE-PGD', epsilon: 0.3, activation: 'elu', steps: 20 }],
  ];
  for (const [name, over] of cases) {
    it(`${name}: 20 steps give the same weights and loss to fp32 tolerance`, () => {
      const data = buildToyData(small);
      const s = { ...small, ...over };
      const fast = new ToyRun(data, s);
      const ref = new TfjsToyRun(data, s);
      // Adam divides by √v̂ + 1e-7, so where a gradient is tiny (a unit going quiet: |g| ≲ 1e-7) a rounding-level
      // difference between the engines still moves that weight by up to lr per step, in either direction.
      // Those weights (found from the fast engine's gradients at every step) may differ by ≤ lr·steps; every
      // other weight must agree to 2e-5 (measured ≲ 5e-6; a wrong sign, schedule or moment is off by ~lr = 2e-2).
      const quiet = fast.model.getWeights().map((w) => new Uint8Array(w.length));
      for (let t = 0; t < 20; t++) {
        fast.train(1);
        ref.train(1);
        fast.model
          .getGradients()
          .forEach((g, i) => g.forEach((v, j) => (quiet[i][j] |= v !== 0 && Math.abs(v) < 1e-6 ? 1 : 0)));
      }
      const wr = ref.model.getWeights();
      let nQuiet = 0;
      let n = 0;
      fast.model.getWeights().forEach((w, i) =>
        w.forEach((v, j) => {
          n++;
          if (quiet[i][j]) nQuiet++;
          const tol = quiet[i][j] ? s.lr * 20 : 2e-5;
          expect(
            Math.abs(v - wr[i][j]),
            `weights[${i}][${j}]${quiet[i][j] ? ' (quiet)' : ''}`,
          ).toBeLessThanOrEqual(tol);
        }),
      );
      // Not vacuous: most weights are compared tightly (CE on separable blobs saturates fastest: ~half quiet).
      expect(n - nQuiet, `${nQuiet} of ${n} weights had a tiny non-zero gradient`).toBeGreaterThan(n / 3);
      expect(Math.abs(fast.lastLoss - ref.lastLoss)).toBeLessThan(1e-4);
      expect(fast.steps).toBe(ref.steps);
      ref.dispose();
    });
  }
});

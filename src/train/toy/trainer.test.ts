import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { Mlp, initMlpWeights } from '../../models/mlp';
import { buildToyData } from './data';
import { defaultToyParams, TOY_METHODS, type ToyParams } from './params';
import { ToyRun } from './trainer';
import { TfjsToyRun } from './trainerTfjs';
import { Random } from '../../core/random';

/** Small, fast settings for tests. */
const small: ToyParams = {
  ...defaultToyParams(),
  size: 60,
  nOutliers: 60,
  width: 8,
  depth: 2,
  batch: 32,
  grid: 20,
};

describe('MLP', () => {
  it('relu (fused kernels) matches a plain-JS forward pass', () => {
    const cfg = { inputDim: 2, width: 4, depth: 2, outputDim: 3, activation: 'relu' as const };
    const w = initMlpWeights(cfg, new Random(2));
    w[1] = Float32Array.from([0.1, -0.2, 0.3, 0]);
    const m = new Mlp(cfg, w);
    const x = [0.7, -0.4];
    const out = tf.tidy(() => Array.from(m.apply(tf.tensor2d([x])).dataSync()));
    m.dispose();
    const layer = (h: number[], k: Float32Array, b: Float32Array, n: number, relu: boolean) =>
      Array.from({ length: n }, (_, j) => {
        const v = h.reduce((s, hv, i) => s + hv * k[i * n + j], b[j]);
        return relu ? Math.max(0, v) : v;
      });
    const h1 = layer(x, w[0], w[1], 4, true);
    const h2 = layer(h1, w[2], w[3], 4, true);
    const ref = layer(h2, w[4], w[5], 3, false);
    out.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
  });

  it('matches a plain-JS forward pass and leaks nothing', () => {
    const cfg = { inputDim: 2, width: 3, depth: 1, outputDim: 2, activation: 'tanh' as const };
    const w = initMlpWeights(cfg, new Random(1));
    w[1] = Float32Array.from([0.1, -0.2, 0.3]);
    const before = tf.memory().numTensors;
    const m = new Mlp(cfg, w);
    const x = [0.5, -1.5];
    const out = tf.tidy(() => Array.from(m.apply(tf.tensor2d([x])).dataSync()));
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const h = [0, 1, 2].map((j) => Math.tanh(x[0] * w[0][j] + x[1] * w[0][3 + j] + w[1][j]));
    const ref = [0, 1].map((k) => h.reduce((s, v, j) => s + v * w[2][j * 2 + k], 0) + w[3][k]);
    out.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
  });
});

describe('TfjsToyRun (reference engine)', () => {
  it('keeps the tensor count flat across steps for every method, and dispose frees everything', () => {
    const data = buildToyData(small);
    const before = tf.memory().numTensors;
    for (const method of TOY_METHODS) {
      const run = new TfjsToyRun(data, { ...small, method });
      run.train(2);
      const mid = tf.memory().numTensors;
      run.train(3);
      run.evaluate(10, 6);
      expect(tf.memory().numTensors).toBe(mid);
      expect(Number.isFinite(run.lastLoss)).toBe(true);
      run.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});

describe('ToyRun (fast engine)', () => {
  it('creates no tensors at all while training and evaluating', () => {
    const data = buildToyData(small);
    const before = tf.memory().numTensors;
    for (const method of TOY_METHODS) {
      const run = new ToyRun(data, { ...small, method, epsilon: 0.3 });
      run.train(3);
      run.evaluate(10, 6);
      expect(Number.isFinite(run.lastLoss)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reset restores the seeded initial weights and repeats the same trajectory', () => {
    const data = buildToyData(small);
    const run = new ToyRun(data, { ...small, method: 'AOE-PGD', epsilon: 0.4 });
    const w0 = run.model.getWeights();
    run.train(5);
    const w5 = run.model.getWeights();
    expect(w5[0]).not.toEqual(w0[0]);
    run.reset();
    expect(run.steps).toBe(0);
    expect(run.model.getWeights()).toEqual(w0);
    run.train(5);
    expect(run.model.getWeights()).toEqual(w5);
    run.dispose();
  });

  it('runs that differ only in ε start from the same weights (OE vs AOE panes)', () => {
    const data = buildToyData(small);
    const a = new ToyRun(data, { ...small, epsilon: 0 });
    const b = new ToyRun(data, { ...small, epsilon: 0.5 });
    expect(a.model.getWeights()).toEqual(b.model.getWeights());
    a.dispose();
    b.dispose();
  });

  it('AOE moves each outlier by ±ε per coordinate down the energy (mean energy drops)', () => {
    const data = buildToyData(small);
    const run = new ToyRun(data, { ...small, method: 'AOE', epsilon: 0.05 });
    run.train(20);
    const xh = run.perturbPoints(data.outliers, new Random(1));
    xh.forEach((v, i) => expect([0, 0.05]).toContain(Math.round(Math.abs(v - data.outliers[i]) * 1e4) / 1e4));
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(run.energies(xh))).toBeLessThan(mean(run.energies(data.outliers)));
  });

  it('cosine schedule: the lr reaches 0 after `steps` steps (weights then stay put); constantLr keeps moving', () => {
    const data = buildToyData(small);
    const run = new ToyRun(data, { ...small, method: 'OE', schedule: 'cosine', steps: 4 });
    const w0 = run.model.getWeights();
    run.train(4);
    const w4 = run.model.getWeights();
    expect(w4[0]).not.toEqual(w0[0]);
    run.train(2);
    expect(run.model.getWeights()).toEqual(w4);
    run.train(1, true);
    expect(run.model.getWeights()[0]).not.toEqual(w4[0]);
    run.dispose();
    // With a constant rate the same run keeps moving after `steps`.
    const c = new ToyRun(data, { ...small, method: 'OE', schedule: 'constant', steps: 4 });
    c.train(4);
    const c4 = c.model.getWeights();
    c.train(1);
    expect(c.model.getWeights()[0]).not.toEqual(c4[0]);
    c.dispose();
  });

  it('pretrain: the shared start is the seeded init after `pretrain` CE steps, and reset returns to it', () => {
    const data = buildToyData(small);
    const s = { ...small, pretrain: 3, schedule: 'cosine' as const, steps: 10 };
    const init = ToyRun.start(data, { ...s, pretrain: 0 });
    const ce = new ToyRun(data, { ...s, method: 'CE', schedule: 'constant', pretrain: 0 }, init);
    ce.train(3);
    const expected = ce.model.getWeights();
    ce.dispose();
    expect(expected[0]).not.toEqual(init[0]);
    const run = new ToyRun(data, { ...s, method: 'AOE', epsilon: 0.5 });
    expect(run.model.getWeights()).toEqual(expected);
    run.train(2);
    run.reset();
    expect(run.model.getWeights()).toEqual(expected);
    run.dispose();
  });
});

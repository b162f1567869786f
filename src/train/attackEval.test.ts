// The test-time attack evaluation (Fig. 6) against a plain recomputation on a tiny WRN: FGSM by hand
// (x + b·sign ∇ₓ mean L_OE, clamp [0,1], ID clean), EBO/MSP scores by hand, AUROC by pairwise counting and FPR95
// by sorting — none of it through the code under test (core fgsm, detectors, oodMetrics).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../models/wasmKernels';
import { Random } from '../core/random';
import { WideResNet } from '../models/wrn';
import { wrnConfig } from '../models/wrnSpec';
import { tinyData } from '../../tests/train/fixtures';
import { attackBatch, evaluateAttack } from './attackEval';
import { gatherImages, normalizer, toImageTensor } from './batches';
import { evaluateDetectors } from './detectorEval';

// WASM (with the training kernels) so the many WRN gradients take seconds, not minutes, on the JS CPU backend.
const data = tinyData(32, 32);
let model: WideResNet;
const pre = normalizer(data.normalization.mean, data.normalization.std);
beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
  model = new WideResNet(wrnConfig('WRN-10-1', { numClasses: 2, dropRate: 0 }), 3);
});
afterAll(async () => {
  model.dispose();
  await tf.setBackend('cpu');
});

const all = (n: number) => Array.from({ length: n }, (_, i) => i);
const pixels = (set: typeof data.test) => toImageTensor(gatherImages(set, all(set.n), null), set);

/** Logits [N, C] as rows of plain numbers. */
function logitsOf(x: tf.Tensor4D): number[][] {
  return tf.tidy(() => model.forward(pre(x) as tf.Tensor4D, { training: false }).logits.arraySync());
}
const lse = (r: number[]) => {
  const m = Math.max(...r);
  return m + Math.log(r.reduce((a, v) => a + Math.exp(v - m), 0));
};
const ebo = (r: number[]) => -lse(r);
const msp = (r: number[]) => -Math.exp(Math.max(...r) - lse(r));

/** Mann–Whitney AUROC: P(score_ood > score_id) + ½ P(tie). */
function pairwiseAuroc(id: number[], ood: number[]): number {
  let s = 0;
  for (const o of ood) for (const i of id) s += o > i ? 1 : o === i ? 0.5 : 0;
  return s / (id.length * ood.length);
}
/** FPR at the largest threshold that flags ≥ 95 % of OOD (score ≥ t). */
function fpr95(id: number[], ood: number[]): number {
  const sorted = [...ood].sort((a, b) => b - a);
  const t = sorted[Math.ceil(0.95 * ood.length) - 1];
  return id.filter((v) => v >= t).length / id.length;
}

/** FGSM on mean L_OE by hand (tf.grad of logsumexp − mean logits), clamped to [0, 1]. */
function fgsmByHand(x: tf.Tensor4D, b: number): tf.Tensor4D {
  return tf.tidy(() => {
    const loss = (t: tf.Tensor) => {
      const l = model.forward(pre(t) as tf.Tensor4D, { training: false }).logits;
      return tf.mean(tf.sub(tf.logSumExp(l, 1), tf.mean(l, 1))) as tf.Scalar;
    };
    const g = tf.grad(loss)(x);
    return tf.clipByValue(tf.add(x, tf.mul(tf.sign(g), b)), 0, 1) as tf.Tensor4D;
  });
}

describe('evaluateAttack (FGSM on L_OE, OOD only, per budget)', () => {
  const budgets = [0, 0.05, 0.5];
  it('matches a by-hand FGSM, scores and metrics at every budget, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const ev = await evaluateAttack(model, data, {
      kind: 'fgsm',
      budgets,
      detectors: ['EBO', 'MSP'],
      oodSets: 'all',
      limit: 0,
      fitLimit: 0,
    });
    expect(tf.memory().numTensors).toBe(before);
    const xId = pixels(data.test);
    const idLogits = logitsOf(xId);
    const labels = Array.from(data.test.labels!);
    const acc = idLogits.filter((r, i) => (r[1] > r[0] ? 1 : 0) === labels[i]).length / labels.length;
    expect(ev.accuracy).toBeCloseTo(acc, 12);
    const xOod = pixels(data.oodTests.noise);
    budgets.forEach((b, k) => {
      const adv = fgsmByHand(xOod, b);
      const oodLogits = logitsOf(adv);
      adv.dispose();
      for (const [name, f] of [
        ['EBO', ebo],
        ['MSP', msp],
      ] as const) {
        const id = idLogits.map(f);
        const ood = oodLogits.map(f);
        const m = ev.perBudget[k][name].noise;
        expect(m.AUROC).toBeCloseTo(pairwiseAuroc(id, ood), 5);
        expect(m.FPR95TPR).toBeCloseTo(fpr95(id, ood), 5);
        expect([m.nId, m.nOod]).toEqual([16, 16]);
      }
    });
    tf.dispose([xId, xOod]);
  });

  it('budget 0 equals the clean detector evaluation; a large budget makes OOD look more ID (EBO)', async () => {
    const ev = await evaluateAttack(model, data, {
      kind: 'fgsm',
      budgets: [0, 1],
      detectors: ['EBO', 'Mahalanobis'],
      oodSets: ['noise'],
      limit: 0,
      fitLimit: 0,
    });
    const clean = await evaluateDetectors(model, data, {
      detectors: ['EBO', 'Mahalanobis'],
      oodSets: ['noise'],
      limit: 0,
      fitLimit: 0,
    });
    expect(ev.perBudget[0].EBO.noise).toEqual(clean.metrics.EBO.noise);
    expect(ev.perBudget[0].Mahalanobis.noise).toEqual(clean.metrics.Mahalanobis.noise);
    // Maximising L_OE raises max-softmax confidence; at budget 1 the OOD energies must drop on average.
    const x = pixels(data.oodTests.noise);
    const adv = attackBatch(model, x, 1, { kind: 'fgsm', preprocess: pre });
    const e0 = logitsOf(x).map(ebo);
    const e1 = logitsOf(adv).map(ebo);
    tf.dispose([x, adv]);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(e1)).toBeLessThan(mean(e0));
  });

  it('PGD stays in the ball ∩ [0, 1], raises L_OE at least as much as its random start, and cancels', async () => {
    const x = pixels(data.oodTests.noise);
    const oe = (t: tf.Tensor4D) =>
      tf.tidy(() => {
        const l = model.forward(pre(t) as tf.Tensor4D, { training: false }).logits;
        return tf.mean(tf.sub(tf.logSumExp(l, 1), tf.mean(l, 1))).dataSync()[0];
      });
    const before = tf.memory().numTensors;
    const adv = attackBatch(model, x, 0.1, {
      kind: 'pgd',
      pgdSteps: 5,
      preprocess: pre,
      random: new Random(7),
    });
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(adv, x))).dataSync()[0]);
    expect(d).toBeLessThanOrEqual(0.1 + 1e-6);
    const v = adv.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(oe(adv)).toBeGreaterThan(oe(x));
    adv.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    const ac = new AbortController();
    ac.abort();
    await expect(
      evaluateAttack(model, data, {
        kind: 'pgd',
        budgets: [0.1],
        detectors: ['EBO'],
        oodSets: 'all',
        limit: 0,
        fitLimit: 0,
        signal: ac.signal,
      }),
    ).rejects.toThrow(/abort/i);
  });
});

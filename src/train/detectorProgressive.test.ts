// The progressive detector table against evaluateDetectors (the one-shot table the experiments use) on a tiny
// WRN: the final table has the same metrics for all nine detectors, every table in between is the one-shot
// evaluation of exactly the images it names (a stratified prefix), each image goes through the model once (plus
// ODIN's gradient and x̂ passes), nothing leaks, and an abort stops it.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oodMetrics } from '../core/metrics';
import { registerWasmTrainingKernels } from '../models/wasmKernels';
import { WideResNet } from '../models/wrn';
import { wrnConfig } from '../models/wrnSpec';
import { tinyData } from '../../tests/train/fixtures';
import { DETECTOR_KEYS, evaluateDetectors, type DetectorEvaluation } from './detectorEval';
import { progressiveDetectorTable, stratifiedOrder, type ProgressiveTable } from './detectorProgressive';
import type { TrainingData } from './types';

const base = tinyData(32, 40);
// Two OOD sets of different sizes (16 and 24 images), so the stages cut them differently.
const data: TrainingData = {
  ...base,
  oodTests: { noise: base.oodTests.noise, outliers: { ...tinyData(32, 24).train, labels: null, name: 'o' } },
};
let model: WideResNet;
let oneShot: DetectorEvaluation;
const tables: ProgressiveTable[] = [];
let forwardRows = 0;
let leaked = 0;

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
  model = new WideResNet(wrnConfig('WRN-10-1', { numClasses: 2, dropRate: 0 }), 2);
  oneShot = await evaluateDetectors(model, data, {
    detectors: DETECTOR_KEYS,
    oodSets: 'all',
    limit: 0,
    fitLimit: 0,
    keepScores: true,
  });
  const forward = model.forward.bind(model);
  model.forward = (x, o) => {
    forwardRows += x.shape[0];
    return forward(x, o);
  };
  const before = tf.memory().numTensors;
  await progressiveDetectorTable(model, data, {
    detectors: DETECTOR_KEYS,
    oodSets: 'all',
    limit: 0,
    fitLimit: 0,
    keepScores: true,
    stages: [5, 10, 100],
    onTable: (t) => void tables.push(t),
  });
  leaked = tf.memory().numTensors - before;
  model.forward = forward;
}, 600_000);
afterAll(async () => {
  model.dispose();
  await tf.setBackend('cpu');
});

describe('progressive detector table', () => {
  it('emits complete tables at n = 5, 10, then the full sets, labelled with their counts', () => {
    expect(tables.map((t) => t.counts)).toEqual([
      { ID: 5, noise: 5, outliers: 5 },
      { ID: 10, noise: 10, outliers: 10 },
      { ID: 16, noise: 16, outliers: 24 },
    ]);
    expect(tables.map((t) => t.final)).toEqual([false, false, true]);
    expect(tables[0].fullCounts).toEqual({ ID: 16, noise: 16, outliers: 24 });
    for (const t of tables) expect(Object.keys(t.metrics).sort()).toEqual([...DETECTOR_KEYS].sort());
  });

  it('the full table equals the one-shot evaluation for all nine detectors', () => {
    const last = tables[tables.length - 1];
    expect(last.accuracy).toBe(oneShot.accuracy);
    for (const d of DETECTOR_KEYS)
      for (const s of ['noise', 'outliers']) {
        const a = last.metrics[d][s];
        const b = oneShot.metrics[d][s];
        for (const k of ['AUROC', 'FPR95TPR', 'AUPR-IN', 'AUPR-OUT'] as const)
          expect(a[k], `${d} ${s} ${k}`).toBeCloseTo(b[k], 12);
        expect([a.nId, a.nOod]).toEqual([b.nId, b.nOod]);
      }
  });

  it('each earlier table is the evaluation of exactly its stratified prefix (same per-image scores)', () => {
    const t = tables[0];
    const order = {
      ID: stratifiedOrder(data.test, 16, 1),
      noise: stratifiedOrder(data.oodTests.noise, 16, 2),
      outliers: stratifiedOrder(data.oodTests.outliers, 24, 3),
    };
    const labels = [...order.ID.subarray(0, 5)].map((i) => data.test.labels![i]);
    expect(new Set(labels).size).toBe(2); // both classes among the first five
    for (const d of DETECTOR_KEYS) {
      const pick = (set: 'ID' | 'noise' | 'outliers') =>
        Float32Array.from(order[set].subarray(0, 5), (i) => oneShot.scores![d][set][i]);
      const id = pick('ID');
      for (const s of ['noise', 'outliers'] as const) {
        for (let i = 0; i < 5; i++) expect(t.scores![d][s][i], `${d} ${s} #${i}`).toBeCloseTo(pick(s)[i], 5);
        const all = new Float32Array(10);
        all.set(t.scores![d].ID);
        all.set(t.scores![d][s], 5);
        const want = oodMetrics(all, new Uint8Array(10).fill(1, 5));
        expect(t.metrics[d][s].AUROC).toBe(want.AUROC);
      }
      for (let i = 0; i < 5; i++) expect(t.scores![d].ID[i], `${d} ID #${i}`).toBeCloseTo(id[i], 5);
    }
  });

  it('runs each image through the model once, plus ODIN’s two passes, and leaks no tensors', () => {
    const images = 16 + 16 + 24;
    expect(forwardRows).toBe(40 + images + 2 * images); // fit set, shared pass, ODIN gradient + x̂
    expect(leaked).toBe(0);
  });

  it('stops on an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      progressiveDetectorTable(model, data, {
        detectors: ['EBO'],
        oodSets: 'all',
        limit: 0,
        fitLimit: 0,
        stages: [5],
        signal: ac.signal,
      }),
    ).rejects.toThrow(/abort/i);
  });
});

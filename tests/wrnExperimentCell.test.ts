// The WRN cell executor end to end at smoke scale on the committed CIFAR fixture and the app's pretrained
// WRN-16-2 (WASM backend, as the app's CPU path): one training cell through the runner, then the nine detectors.
// Checked against independent code: accuracy and the EBO/MSP metrics against src/train/evaluate.ts (its own
// forward pass and scoring), and determinism (the same cell twice gives bit-identical rows).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFromZip } from '../src/models/io';
import { registerWasmTrainingKernels } from '../src/models/wasmKernels';
import { createWrnExecutor, type WrnEnvironment } from '../src/experiments/executors/wrnCell';
import { MemoryResultsStore, runExperiment } from '../src/experiments/run';
import { WideResNet } from '../src/models/wrn';
import type { ImageClassifier } from '../src/models/types';
import { WRN_BASE, WRN_SCALES } from '../src/experiments/specs/common';
import { DETECTOR_NAMES, type ExperimentSpec } from '../src/experiments/types';
import { noiseSet, ppcaOutliers, WRN_NORMALIZATION } from '../src/train/trainingSets';
import { evaluate } from '../src/train/evaluate';
import { loadCifar10Fixture } from './fixtures/cifar10';
import type { TrainingData } from '../src/train/types';

const zip = new Uint8Array(
  readFileSync(new URL('../public/models/wrn-16-2-cifar10/model.zip', import.meta.url)),
);

const train = loadCifar10Fixture('train');
const test = loadCifar10Fixture('test');
const base: TrainingData = {
  train,
  test,
  outliers: null,
  oodTests: { 'Gaussian noise': noiseSet('gaussian', 64, 11), 'Uniform noise': noiseSet('uniform', 64, 12) },
  normalization: WRN_NORMALIZATION,
  numClasses: 10,
};
let outlierMemo: ReturnType<typeof ppcaOutliers> | undefined;
const env: WrnEnvironment = {
  data: async () => base,
  outliers: async (c) => (outlierMemo ??= ppcaOutliers(train, c.outlierCount, c.sigma2, c.seed)),
  startModel: async (c) => {
    const { model } = modelFromZip(zip);
    if (c.dropRate === model.config.dropRate) return model;
    throw new Error('test expects the manifest dropout');
  },
};

const spec: ExperimentSpec = {
  id: 'wrn-cell-test',
  title: 'test',
  paperRef: '-',
  claim: '-',
  model: 'wrn',
  base: { ...WRN_BASE, method: 'AOE', epsilon: 0.5 },
  grid: { method: ['AOE'] },
  scales: WRN_SCALES,
  evaluate: {
    detectors: [...DETECTOR_NAMES],
    oodSets: 'all',
    metrics: ['AUROC', 'FPR95TPR', 'AUPR-IN', 'AUPR-OUT', 'ACC'],
  },
  plot: {
    kind: 'table',
    x: 'detector',
    series: 'method',
    panels: [{ metric: 'AUROC', oodSet: 'mean' }],
    aggregate: 'mean-sd',
  },
};
const provenance = { origin: 'node', backend: 'wasm', device: 'test', appVersion: 'test' } as const;

describe('WRN cell executor (smoke scale, WASM)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    registerWasmTrainingKernels();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it(
    'trains, evaluates nine detectors, agrees with the independent evaluation, and repeats bit for bit',
    { timeout: 900_000 },
    async () => {
      let trained: ImageClassifier | null = null;
      const keepModel: WrnEnvironment = {
        ...env,
        startModel: async (cfg) => {
          const m = await env.startModel(cfg);
          trained = m;
          m.dispose = () => {}; // kept for the independent evaluation below
          return m;
        },
      };
      const run = (e: WrnEnvironment) =>
        runExperiment(spec, {
          scale: 'smoke',
          execute: createWrnExecutor(e),
          store: new MemoryResultsStore(),
          provenance,
          now: () => 0,
        });
      const rows = await run(keepModel);
      const model = trained as unknown as WideResNet;
      // 1 ACC + 9 detectors × 2 sets × 4 metrics
      expect(rows).toHaveLength(1 + 9 * 2 * 4);
      for (const r of rows) expect(Number.isFinite(r.value)).toBe(true);
      expect(new Set(rows.filter((r) => r.detector).map((r) => r.detector))).toEqual(new Set(DETECTOR_NAMES));
      expect(rows[0].config).toMatchObject({ method: 'AOE', epsilon: 0.5, subsetSize: 64, evalLimit: 64 });

      // Independent check of the trained model with src/train/evaluate.ts (its own forward pass and scoring).
      const ev = await evaluate(model, base, 64);
      WideResNet.prototype.dispose.call(model);
      const outcome = { measurements: rows };
      const acc = outcome.measurements.find((m) => m.metric === 'ACC')!.value;
      expect(acc).toBeCloseTo(ev.accuracy, 10);
      for (const set of Object.keys(base.oodTests)) {
        const ebo = outcome.measurements.find(
          (m) => m.detector === 'EBO' && m.oodSet === set && m.metric === 'AUROC',
        )!;
        const msp = outcome.measurements.find(
          (m) => m.detector === 'MSP' && m.oodSet === set && m.metric === 'FPR95TPR',
        )!;
        expect(ebo.value).toBeCloseTo(ev.metrics[set].Energy.AUROC, 6);
        expect(msp.value).toBeCloseTo(ev.metrics[set].MSP.FPR95TPR, 6);
      }
      // Determinism, and no tensor left behind: the same cell again gives the same numbers.
      const before = tf.memory().numTensors;
      const again = await run(env);
      expect(tf.memory().numTensors).toBe(before);
      expect(again.map((r) => r.value)).toEqual(rows.map((r) => r.value));
    },
  );
});

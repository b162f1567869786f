// Parity with PyTorch for one training step of each named setting (reference/make_setting_parity.py, which runs
// the torchrun runner's own train_step): the app's trainStep fed the way the Trainer feeds it under
// settings.ts must give torch's loss, perturbed outliers and parameters after the step.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../core/random';
import { importPytorchSafetensors, inferWrnConfig, torchToTf } from '../models/io/pytorchState';
import { parseSafetensors } from '../models/io/safetensors';
import { useFastCpuConvFilterGradient } from '../models/wasmKernels';
import { WideResNet } from '../models/wrn';
import { wrnStateEntries } from '../models/wrnSpec';
import { normalizer } from './batches';
import { PAPER_CONFIG, type ExperimentConfig, type Method, type OutlierSetting } from './config';
import { Sgd } from './optim/sgd';
import { perturbOutliers } from './perturb';
import { SETTING_TABLE, trainingPipeline, withSetting } from './settings';
import { trainStep } from './step';
import { WRN_NORMALIZATION } from './trainingSets';

const FIXTURES = new URL('../../tests/fixtures/wrn/', import.meta.url);
const load = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const exp = parseSafetensors(load('settings_step.expected.safetensors'));
const f32 = (key: string) => {
  const t = exp.tensors.get(key);
  if (!t) throw new Error(`fixture lacks '${key}'`);
  return { data: t.data as Float32Array, shape: t.shape };
};

/** max |a − b| / max(1, max |b|). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / scale;
}

let restoreStockKernel: () => void = () => {};
beforeAll(() => {
  restoreStockKernel = useFastCpuConvFilterGradient();
});
afterAll(() => restoreStockKernel());

const CASES: { setting: OutlierSetting; method: Method; epsilon: number }[] = [
  { setting: 'consistent', method: 'AOE', epsilon: 0.5 },
  { setting: 'authors', method: 'AOE', epsilon: 0.5 },
  { setting: 'consistent', method: 'OE', epsilon: 0 },
  { setting: 'authors', method: 'OE', epsilon: 0 },
];

describe('the PyTorch runner’s setting table', () => {
  it('is the twin of SETTING_TABLE (reference/experiment_lib.py SETTINGS, as recorded in the fixture)', () => {
    const meta = JSON.parse(exp.metadata.config) as {
      settings: Record<
        OutlierSetting,
        {
          fixed: Record<string, unknown>;
          outlier_count: number | null;
          noise_ood_count: number;
          normalize_outliers: boolean;
          id_norm: 'model' | { mean: number[]; std: number[] };
        }
      >;
    };
    for (const k of ['consistent', 'authors'] as const) {
      const py = meta.settings[k];
      const ts = SETTING_TABLE[k];
      expect(py.fixed, k).toEqual(ts.fixed);
      expect(py.outlier_count, k).toBe(ts.outlierCount);
      expect(py.noise_ood_count, k).toBe(ts.noiseOodCount);
      expect(py.normalize_outliers, k).toBe(ts.normalizeOutliers);
      if (ts.idTrainNorm === 'model') expect(py.id_norm).toBe('model');
      else expect(py.id_norm).toEqual({ mean: [...ts.idTrainNorm.mean], std: [...ts.idTrainNorm.std] });
    }
  });
});

describe.each(CASES)('one training step vs PyTorch: $setting $method', ({ setting, method, epsilon }) => {
  it('loss, perturbed outliers and every parameter after the step match to fp32 tolerance', async () => {
    const bytes = load('wrn10_1.safetensors');
    const arch = inferWrnConfig(parseSafetensors(bytes), 0);
    const { state } = importPytorchSafetensors(bytes, arch);
    const model = new WideResNet(arch, 0);
    model.setState(state);
    for (const t of state.tensors.values()) t.dispose();
    const config: ExperimentConfig = withSetting(
      { ...PAPER_CONFIG, method, epsilon, dropRate: 0, model: 'WRN-10-1' },
      setting,
    );
    const key = `${setting}_${method}`;
    const before = tf.memory().numTensors;

    // Feed the step as the Trainer does under this setting (loop.ts): ID via idNorm, outliers via outlierNorm.
    const pipe = trainingPipeline(config, WRN_NORMALIZATION);
    const idPre = normalizer(pipe.idNorm.mean, pipe.idNorm.std);
    const outPre = pipe.outlierNorm
      ? normalizer(pipe.outlierNorm.mean, pipe.outlierNorm.std)
      : (t: tf.Tensor) => t;
    const xId = f32('x_id_u8');
    const xOut = f32('x_out_u8');
    const idX = tf.tidy(() => idPre(tf.div(tf.tensor(xId.data, xId.shape), 255)) as tf.Tensor4D);
    const outX = tf.tidy(() => tf.div(tf.tensor(xOut.data, xOut.shape), 255) as tf.Tensor4D);
    const idY = tf.tensor1d(Int32Array.from(exp.tensors.get('y_id')!.data as BigInt64Array, Number), 'int32');

    const perturbed = perturbOutliers(model, outX, config, new Random(1), outPre);
    const errPerturbed = relErr(perturbed.dataSync(), f32(`${key}/x_out_perturbed`).data);
    perturbed.dispose();

    const stateBefore = model.getState();
    const paramsBefore = new Map([...stateBefore.tensors].map(([k, t]) => [k, t.dataSync().slice()]));
    for (const t of stateBefore.tensors.values()) t.dispose();
    const sgd = new Sgd(model.trainableVariables(), {
      lr: config.lr,
      momentum: config.momentum,
      nesterov: config.nesterov,
      weightDecay: config.weightDecay,
    });
    const outcome = await trainStep(model, sgd, { idX, idY, outX }, config, config.lr, new Random(1), outPre);
    expect(outcome.applied).toBe(true);
    const wantLoss = f32(`${key}/loss`).data[0];
    const errLoss = Math.abs(outcome.loss - wantLoss) / Math.abs(wantLoss);

    const after = model.getState();
    let errParams = 0;
    let errRunning = 0;
    let errDelta = 0;
    for (const e of wrnStateEntries(arch)) {
      if (e.kind === 'bnCount') continue;
      const t = torchToTf(e, exp.tensors.get(`${key}/after/${e.key}`)!);
      const got = after.tensors.get(e.key)!.dataSync();
      const want = t.dataSync();
      t.dispose();
      const err = relErr(got, want);
      if (!e.trainable) {
        errRunning = Math.max(errRunning, err);
        continue;
      }
      errParams = Math.max(errParams, err);
      // The step itself (p_after − p_before), relative to its largest component: its fp32 rounding is ~1e-4.
      const p0 = paramsBefore.get(e.key)!;
      const dWant = want.map((v, i) => v - p0[i]);
      const dMax = Math.max(...dWant.map(Math.abs));
      expect(dMax, `${e.key} did not move`).toBeGreaterThan(0);
      const dGot = got.map((v, i) => v - p0[i]);
      errDelta = Math.max(errDelta, relErr(dGot, dWant) / dMax);
    }
    expect(after.numBatchesTracked).toBe(8);
    for (const t of after.tensors.values()) t.dispose();
    sgd.dispose();
    tf.dispose([idX, outX, idY]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    console.log(`${key} parity`, {
      errLoss,
      errPerturbed,
      errParams,
      errDelta,
      errRunning,
      loss: outcome.loss,
    });

    // AOE moves every outlier value by exactly ±ε in the stored units (pixels), so one flipped sign would be
    // an error of 2ε; fp32 agreement of the rest is ~1e-7.
    expect(errPerturbed).toBeLessThan(1e-6);
    expect(errLoss).toBeLessThan(1e-5);
    expect(errParams).toBeLessThan(1e-5);
    expect(errRunning).toBeLessThan(1e-5);
    expect(errDelta).toBeLessThan(1e-2);
  });
});

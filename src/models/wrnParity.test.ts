// Parity with PyTorch (reference/make_wrn_parity.py): weights load through the app's own safetensors importer;
// logits, energies, OE losses, the AOE perturbation and one Nesterov-SGD step must match torch's numbers.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { energy } from '../core/energy';
import { outlierExposureLoss } from '../core/losses';
import { energyGradientStep } from '../core/perturbations';
import { Sgd } from '../train/optim/sgd';
import { importPytorchSafetensors, inferWrnConfig, torchToTf } from './io/pytorchState';
import { parseSafetensors, type SafetensorsFile } from './io/safetensors';
import { useFastCpuConvFilterGradient } from './wasmKernels';
import { asLogitsFn, WideResNet } from './wrn';
import { wrnStateEntries } from './wrnSpec';

const FIXTURES = new URL('../../tests/fixtures/wrn/', import.meta.url);
const load = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

/** max |a − b| / max(1, max |b|): "relative" for O(1) values without blowing up near zero. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / scale;
}

function f32(file: SafetensorsFile, key: string): Float32Array {
  const t = file.tensors.get(key);
  if (!t) throw new Error(`fixture lacks '${key}'`);
  return t.data as Float32Array;
}

function tensorOf(file: SafetensorsFile, key: string): tf.Tensor {
  const t = file.tensors.get(key)!;
  return tf.tensor(f32(file, key), t.shape);
}

const CASES = [
  { name: 'wrn10_1', full: true },
  { name: 'wrn16_2', full: false },
];

// tfjs-cpu's stock conv filter gradient is very slow; the forward-conv one (checked equal to it in
// wasmKernels.test.ts) is what the app's CPU fallback runs, so it is the one held against PyTorch here.
let restoreStockKernel: () => void = () => {};
beforeAll(() => {
  restoreStockKernel = useFastCpuConvFilterGradient();
});
afterAll(() => restoreStockKernel());

describe.each(CASES)('PyTorch parity: $name', ({ name, full }) => {
  it('matches logits, energies, OE losses, the AOE step and one Nesterov-SGD step', () => {
    const bytes = load(`${name}.safetensors`);
    const config = inferWrnConfig(parseSafetensors(bytes), 0);
    const { state } = importPytorchSafetensors(bytes, config);
    expect(state.numBatchesTracked).toBe(7);
    const model = new WideResNet(config, 0);
    model.setState(state);
    for (const t of state.tensors.values()) t.dispose();
    const exp = parseSafetensors(load(`${name}.expected.safetensors`));
    const meta = JSON.parse(exp.metadata.config) as { epsilons: number[]; lr: number; n_id: number };
    const errors: Record<string, number> = {};

    const before = tf.memory().numTensors;
    const xId = tensorOf(exp, 'x_id') as tf.Tensor4D;
    const xOut = tensorOf(exp, 'x_out') as tf.Tensor4D;
    const yId = tf.tensor1d(Int32Array.from(exp.tensors.get('y_id')!.data as BigInt64Array, Number), 'int32');
    const batch = tf.concat([xId, xOut]);
    const nId = xId.shape[0];

    const losses = (logits: tf.Tensor2D, reduction: 'whole-batch' | 'separate') =>
      tf.tidy(() => {
        const [a, b] = tf.split(logits, [nId, logits.shape[0] - nId]);
        return outlierExposureLoss(a as tf.Tensor2D, yId, b as tf.Tensor2D, 0.5, reduction).dataSync()[0];
      });

    // Eval mode.
    const ev = model.forward(batch, { training: false });
    errors.logits_eval = relErr(ev.logits.dataSync(), f32(exp, 'logits_eval'));
    const eEval = energy(ev.logits);
    errors.energy_eval = relErr(eEval.dataSync(), f32(exp, 'energy_eval'));
    errors.oe_whole_eval = relErr([losses(ev.logits, 'whole-batch')], f32(exp, 'oe_whole_eval'));
    errors.oe_separate_eval = relErr([losses(ev.logits, 'separate')], f32(exp, 'oe_separate_eval'));
    tf.dispose([ev.logits, ev.features, eEval]);

    // AOE: train-mode copy (batch statistics of the outlier batch alone, stats discarded).
    const attack = asLogitsFn(model, true);
    const grad = tf.grad((x: tf.Tensor) => tf.mean(energy(attack(x))) as tf.Scalar)(xOut);
    const g = grad.dataSync();
    const gTorch = f32(exp, 'aoe_grad');
    errors.aoe_grad = relErr(g, gTorch) / Math.max(...gTorch.map(Math.abs));
    let gMax = 0;
    for (const v of gTorch) gMax = Math.max(gMax, Math.abs(v));
    for (const eps of meta.epsilons) {
      const stepped = energyGradientStep(attack, xOut, { epsilon: eps });
      const got = stepped.dataSync();
      const want = f32(exp, `aoe_x_eps${eps}`);
      let mismatches = 0;
      let mismatchesNearZero = 0;
      for (let i = 0; i < want.length; i++) {
        if (got[i] === want[i]) continue;
        if (Math.abs(gTorch[i]) > 1e-4 * gMax) mismatches++;
        else mismatchesNearZero++;
      }
      expect(mismatches, `sign mismatches at ε=${eps} where |grad| is not ~0`).toBe(0);
      errors[`aoe_sign_mismatch_near0_eps${eps}`] = mismatchesNearZero;
      stepped.dispose();
    }
    grad.dispose();

    // One training step: train-mode forward of cat(ID, outliers), whole-batch OE loss, Nesterov SGD.
    // WRN-16-2's fixture keeps only BN and fc parameters after the step, so only those are differentiated and
    // stepped (tfjs-cpu's conv filter gradient is slow); their gradients do not depend on that choice.
    const storedAfter = (v: tf.Variable) => exp.tensors.has(`after/${v.name.slice(v.name.indexOf('/') + 1)}`);
    const vars = model.trainableVariables().filter(storedAfter);
    const paramsBefore = vars.map((v) => v.dataSync().slice());
    let stats: ReturnType<WideResNet['forward']>['batchStats'];
    const trainLogits: Float32Array[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(batch, { training: true });
      stats = out.batchStats;
      trainLogits.push(out.logits.dataSync().slice() as Float32Array);
      const [a, b] = tf.split(out.logits, [nId, batch.shape[0] - nId]);
      return outlierExposureLoss(a as tf.Tensor2D, yId, b as tf.Tensor2D, 0.5, 'whole-batch');
    }, vars);
    errors.logits_train = relErr(trainLogits[0], f32(exp, 'logits_train'));
    errors.oe_whole_train = relErr([value.dataSync()[0]], f32(exp, 'oe_whole_train'));
    const tl = tf.tensor2d(trainLogits[0], [batch.shape[0], config.numClasses]);
    errors.oe_separate_train = relErr([losses(tl, 'separate')], f32(exp, 'oe_separate_train'));
    const eTrain = energy(tl);
    errors.energy_train = relErr(eTrain.dataSync(), f32(exp, 'energy_train'));
    tf.dispose([tl, eTrain, value]);
    model.applyBatchNormStats(stats!);
    const sgd = new Sgd(vars, { lr: meta.lr, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
    sgd.step(grads);

    const entries = new Map(wrnStateEntries(config).map((e) => [e.key, e]));
    const asTf = (key: string, torchKey: string) => {
      const t = torchToTf(entries.get(key)!, exp.tensors.get(torchKey)!);
      const v = t.dataSync();
      t.dispose();
      return v;
    };
    const after = model.getState();
    errors.params_after = 0;
    errors.delta_rel = 0;
    if (full) errors.grad_rel = 0;
    errors.bn_running_after = 0;
    wrnStateEntries(config).forEach((e) => {
      if (e.kind === 'bnCount' || !exp.tensors.has(`after/${e.key}`)) return;
      const got = after.tensors.get(e.key)!.dataSync();
      const want = asTf(e.key, `after/${e.key}`);
      if (!e.trainable) {
        errors.bn_running_after = Math.max(errors.bn_running_after, relErr(got, want));
        return;
      }
      errors.params_after = Math.max(errors.params_after, relErr(got, want) * 1);
      const i = vars.findIndex((v) => v.name.endsWith(`/${e.key}`));
      const p0 = paramsBefore[i];
      const dGot = got.map((v, j) => v - p0[j]);
      const dWant = want.map((v, j) => v - p0[j]);
      const dMax = Math.max(...dWant.map(Math.abs));
      expect(dMax, `${e.key} did not move`).toBeGreaterThan(0);
      errors.delta_rel = Math.max(errors.delta_rel, relErr(dGot, dWant) / dMax);
      if (full) {
        const gWant = asTf(e.key, `grad/${e.key}`);
        const gGot = grads[vars[i].name].dataSync();
        errors.grad_rel = Math.max(errors.grad_rel, relErr(gGot, gWant) / Math.max(...gWant.map(Math.abs)));
      }
    });
    expect(after.numBatchesTracked).toBe(8);
    for (const t of after.tensors.values()) t.dispose();
    tf.dispose(Object.values(grads));
    sgd.dispose();
    tf.dispose([xId, xOut, yId, batch]);
    expect(tf.memory().numTensors).toBe(before);
    console.log(`${name} parity errors`, errors);

    expect(errors.logits_eval).toBeLessThan(1e-4);
    expect(errors.logits_train).toBeLessThan(1e-4);
    expect(errors.energy_eval).toBeLessThan(1e-4);
    expect(errors.energy_train).toBeLessThan(1e-4);
    for (const k of ['oe_whole_eval', 'oe_separate_eval', 'oe_whole_train', 'oe_separate_train']) {
      expect(errors[k], k).toBeLessThan(1e-4);
    }
    expect(errors.aoe_grad).toBeLessThan(1e-4);
    expect(errors.params_after).toBeLessThan(1e-5);
    expect(errors.bn_running_after).toBeLessThan(1e-5);
    expect(errors.delta_rel).toBeLessThan(1e-2);
    if (full) expect(errors.grad_rel).toBeLessThan(1e-4);
    model.dispose();
  });
});

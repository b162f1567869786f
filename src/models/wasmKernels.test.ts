// WASM training: gradients with the added Conv2DBackpropFilter kernel must match the CPU backend's.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outlierExposureLoss } from '../core/losses';
import { Random } from '../core/random';
import type { ModelState } from './types';
import { registerWasmTrainingKernels } from './wasmKernels';
import { WideResNet } from './wrn';
import { wrnConfig, wrnStateEntries } from './wrnSpec';

/** max |a − b| / max |b|. */
function relToMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  await tf.setBackend(name);
  await tf.ready();
  try {
    return f();
  } finally {
    await tf.setBackend('cpu');
  }
}

describe('WASM training kernels', () => {
  beforeAll(async () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined(); // stock wasm cannot train a convnet
    registerWasmTrainingKernels();
    registerWasmTrainingKernels(); // idempotent
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    { x: [2, 9, 9, 3], w: [3, 3, 3, 4], stride: 1, pad: 1 as const },
    { x: [2, 9, 8, 3], w: [3, 3, 3, 5], stride: 2, pad: 1 as const },
    { x: [3, 8, 8, 4], w: [1, 1, 4, 6], stride: 2, pad: 0 as const },
    { x: [1, 7, 7, 2], w: [3, 2, 2, 3], stride: 2, pad: 'same' as const },
    { x: [2, 6, 7, 2], w: [2, 3, 2, 2], stride: 1, pad: 'valid' as const },
  ])('conv2d gradients match the CPU backend: $x * $w, stride $stride, pad $pad', async (c) => {
    const rng = new Random(3);
    const xv = rng.normalArray(c.x.reduce((a, b) => a * b));
    const wv = rng.normalArray(c.w.reduce((a, b) => a * b));
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, c.x as [number, number, number, number]);
        const w = tf.tensor4d(wv, c.w as [number, number, number, number]);
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad)));
        return tf
          .grads(f)([x, w])
          .map((g) => g.dataSync().slice());
      });
    const cpu = grads();
    const before = tf.memory().numTensors;
    const wasm = await onBackend('wasm', grads);
    expect(tf.memory().numTensors).toBe(before);
    expect(relToMax(wasm[0], cpu[0])).toBeLessThan(1e-5);
    expect(relToMax(wasm[1], cpu[1])).toBeLessThan(1e-5);
  });

  it('gives a WRN-10-1 OE loss gradient equal to the CPU backend’s for every weight and the input', async () => {
    const config = wrnConfig('WRN-10-1', { dropRate: 0 });
    const rng = new Random(5);
    const xv = rng.uniformArray(4 * 32 * 32 * 3, -1, 1);
    const source = new WideResNet(config, 9);
    const s = source.getState();
    const values = new Map([...s.tensors].map(([k, t]) => [k, { shape: t.shape, v: t.dataSync().slice() }]));
    for (const t of s.tensors.values()) t.dispose();
    source.dispose();

    const gradients = () => {
      const model = new WideResNet(config, 0);
      const state: ModelState = {
        tensors: new Map([...values].map(([k, t]) => [k, tf.tensor(t.v, t.shape)])),
        numBatchesTracked: 0,
      };
      model.setState(state);
      for (const t of state.tensors.values()) t.dispose();
      const x = tf.tensor4d(xv, [4, 32, 32, 3]);
      const labels = tf.tensor1d([1, 7], 'int32');
      const vars = model.trainableVariables();
      const loss = (input: tf.Tensor4D) => {
        const { logits } = model.forward(input, { training: true, collectStats: false });
        const [a, b] = tf.split(logits, 2);
        return outlierExposureLoss(a as tf.Tensor2D, labels, b as tf.Tensor2D, 0.5, 'whole-batch');
      };
      const { value, grads } = tf.variableGrads(() => loss(x), vars);
      value.dispose();
      const out = new Map(
        vars.map((v) => [v.name.slice(v.name.indexOf('/') + 1), grads[v.name].dataSync().slice()]),
      );
      tf.dispose(Object.values(grads));
      const gx = tf.grad((input: tf.Tensor) => loss(input as tf.Tensor4D))(x);
      out.set('input', gx.dataSync().slice());
      tf.dispose([gx, x, labels]);
      model.dispose();
      return out;
    };
    const before = tf.memory().numTensors;
    const cpu = gradients();
    expect(tf.memory().numTensors).toBe(before);
    const wasm = await onBackend('wasm', gradients);
    expect(tf.memory().numTensors).toBe(before);
    let worst = 0;
    for (const [k, g] of cpu) {
      const e = relToMax(wasm.get(k)!, g);
      expect(e, k).toBeLessThan(1e-4);
      worst = Math.max(worst, e);
    }
    expect(cpu.size).toBe(wrnStateEntries(config).filter((e) => e.trainable).length + 1); // every weight + the input
    console.log(`WRN-10-1 wasm vs cpu gradients: worst max|Δ|/max|g| = ${worst.toExponential(2)}`);
  });
});

// WASM training: gradients with the added Conv2DBackpropFilter kernel must match the CPU backend's.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../core/random';
import { compareGradientsWithCpu, wrnOeGradients } from './gradientCheck';
import { registerWasmTrainingKernels, useFastCpuConvFilterGradient } from './wasmKernels';
import { wrnConfig, wrnStateEntries } from './wrnSpec';
import { relToMax } from '../../tests/helpers/relativeError';

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  await tf.setBackend(name);
  await tf.ready();
  try {
    return await f();
  } finally {
    await tf.setBackend('cpu');
  }
}

const CONV_CASES = [
  { x: [2, 9, 9, 3], w: [3, 3, 3, 4], stride: 1, pad: 1 as const },
  { x: [2, 9, 8, 3], w: [3, 3, 3, 5], stride: 2, pad: 1 as const },
  { x: [3, 8, 8, 4], w: [1, 1, 4, 6], stride: 2, pad: 0 as const },
  { x: [1, 7, 7, 2], w: [3, 2, 2, 3], stride: 2, pad: 'same' as const },
  { x: [2, 6, 7, 2], w: [2, 3, 2, 2], stride: 1, pad: 'valid' as const },
  // Padding wider than the filter: the input gradient falls back to the stock wasm kernel.
  { x: [1, 6, 6, 2], w: [3, 3, 2, 2], stride: 1, pad: 3 as const },
];

/** Gradients of Σ conv2d(x, w)² w.r.t. [x, w] on the current backend, as arrays. */
function convGrads(c: (typeof CONV_CASES)[number]): Float32Array[] {
  const rng = new Random(3);
  const xv = rng.normalArray(c.x.reduce((a, b) => a * b));
  const wv = rng.normalArray(c.w.reduce((a, b) => a * b));
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x as [number, number, number, number]);
    const w = tf.tensor4d(wv, c.w as [number, number, number, number]);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad)));
    return tf
      .grads(f)([x, w])
      .map((g) => g.dataSync().slice() as Float32Array);
  });
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

  it.each(CONV_CASES)(
    'conv2d gradients match the CPU backend: $x * $w, stride $stride, pad $pad',
    async (c) => {
      const cpu = convGrads(c);
      const before = tf.memory().numTensors;
      const wasm = await onBackend('wasm', () => convGrads(c));
      expect(tf.memory().numTensors).toBe(before);
      expect(relToMax(wasm[0], cpu[0])).toBeLessThan(1e-5);
      expect(relToMax(wasm[1], cpu[1])).toBeLessThan(1e-5);
    },
  );

  it.each(CONV_CASES)(
    'the opt-in fast CPU filter gradient equals the stock one: $x * $w, stride $stride, pad $pad',
    (c) => {
      const stock = convGrads(c);
      const restore = useFastCpuConvFilterGradient();
      let fast: Float32Array[];
      try {
        fast = convGrads(c);
      } finally {
        restore();
      }
      expect(relToMax(fast[1], stock[1])).toBeLessThan(1e-5);
      expect(Array.from(fast[0])).toEqual(Array.from(stock[0])); // the input gradient is untouched
      expect(relToMax(convGrads(c)[1], stock[1])).toBe(0); // and the stock kernel is back
    },
  );

  it('gives a WRN-10-1 OE loss gradient equal to the CPU backend’s for every weight and the input', async () => {
    const before = tf.memory().numTensors;
    const cpu = await wrnOeGradients();
    expect(tf.memory().numTensors).toBe(before);
    const wasm = await onBackend('wasm', () => wrnOeGradients());
    expect(tf.memory().numTensors).toBe(before);
    let worst = 0;
    for (const [k, g] of cpu) {
      const e = relToMax(wasm.get(k)!, g);
      expect(e, k).toBeLessThan(1e-4);
      worst = Math.max(worst, e);
    }
    const config = wrnConfig('WRN-10-1');
    expect(cpu.size).toBe(wrnStateEntries(config).filter((e) => e.trainable).length + 1); // every weight + input
    console.log(`WRN-10-1 wasm vs cpu gradients: worst max|Δ|/max|g| = ${worst.toExponential(2)}`);
  });

  it('compareGradientsWithCpu reports the same agreement and restores the backend', async () => {
    await tf.setBackend('wasm');
    const check = await compareGradientsWithCpu();
    expect(tf.getBackend()).toBe('wasm');
    await tf.setBackend('cpu');
    expect(check.backend).toBe('wasm');
    expect(check.worstRelError).toBeGreaterThan(0); // two different backends: not bit-identical
    expect(check.worstRelError).toBeLessThan(1e-4);
  });
});

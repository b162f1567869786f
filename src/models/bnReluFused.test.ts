// The fused BN+ReLU kernels (SIMD on WASM, loops on CPU) against the op-by-op formulas on the CPU backend, and the
// hand-written WRN pass with them on WASM against the same pass without them on CPU.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outlierExposureLoss } from '../core/losses';
import { Random } from '../core/random';
import { BN_EPSILON } from './batchNorm';
import { bnReluBackward, bnReluForward, registerBnReluKernels } from './bnReluFused';
import { registerWasmTrainingKernels, useFastCpuConvFilterGradient } from './wasmKernels';
import { WideResNet } from './wrn';
import { wrnLossAndGradients } from './wrnBackprop';
import { wrnConfig } from './wrnSpec';
import { relToMax } from '../../tests/helpers/relativeError';

/** The op-by-op reference (the formulas wrnBackprop.ts uses without the kernels), on the active backend. */
function reference(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, dOut: tf.Tensor4D, scale: number) {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const inv = tf.rsqrt(tf.add(variance, BN_EPSILON));
    const y = tf.relu(tf.add(tf.mul(tf.sub(x, mean), tf.mul(gamma, inv)), beta));
    const [dx, dGamma, dBeta] = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const m = tf.moments(xx, [0, 1, 2]);
      const out = tf.relu(
        tf.add(tf.mul(tf.sub(xx, m.mean), tf.mul(g, tf.rsqrt(tf.add(m.variance, BN_EPSILON)))), b),
      );
      return tf.sum(tf.mul(tf.mul(out, dOut), scale));
    })([x, gamma, beta]);
    return { y, mean, inv, variance, dx, dGamma, dBeta };
  });
}

type Arrays = Record<string, Float32Array>;
const read = (o: Record<string, tf.Tensor>): Arrays =>
  Object.fromEntries(Object.entries(o).map(([k, t]) => [k, t.dataSync() as Float32Array]));

let restore = () => {};
beforeAll(async () => {
  await tf.setBackend('cpu');
  registerBnReluKernels('cpu');
  restore = useFastCpuConvFilterGradient();
});
afterAll(async () => {
  restore();
  await tf.setBackend('cpu');
});

describe('fused BN+ReLU kernels', () => {
  // C = 8, 32: SIMD on WASM; C = 6: the loop fallback. 300 rows: more than one float32 summation block.
  it.each([
    [[3, 10, 10, 8], 1],
    [[2, 5, 5, 6], 1],
    [[4, 9, 9, 32], 1 / 0.7],
  ])(
    'forward and backward equal the op-by-op autodiff formulas (x %j, dropout scale %s)',
    async (shape, scale) => {
      const r = new Random(5);
      const C = shape[3];
      const size = shape.reduce((a, b) => a * b, 1);
      const xs = r.uniformArray(size, -2, 3);
      const gs = r.uniformArray(C, 0.5, 1.5);
      const bs = r.uniformArray(C, -0.3, 0.3);
      const ds = r.uniformArray(size, -1, 1);
      const make = () => ({
        x: tf.tensor4d(xs, shape as [number, number, number, number]),
        g: tf.tensor1d(gs),
        b: tf.tensor1d(bs),
        d: tf.tensor4d(ds, shape as [number, number, number, number]),
      });
      await tf.setBackend('cpu');
      const c = make();
      const ref = reference(c.x, c.g, c.b, c.d, scale);
      const want = read({ ...ref });
      tf.dispose([...Object.values(c), ...Object.values(ref)]);
      for (const backend of ['cpu', 'wasm']) {
        await tf.setBackend(backend);
        if (backend === 'wasm') registerWasmTrainingKernels();
        const t = make();
        const before = tf.memory().numTensors;
        const f = bnReluForward(t.x, t.g, t.b);
        const bw = bnReluBackward(t.d, f.y, t.x, f.mean, f.invStd, t.g, scale);
        const got = read({ y: f.y, mean: f.mean, inv: f.invStd, variance: f.variance, ...bw });
        for (const k of ['y', 'mean', 'inv', 'variance', 'dx', 'dGamma', 'dBeta'])
          expect(relToMax(got[k], want[k]), `${backend} ${k}`).toBeLessThan(2e-5);
        tf.dispose([...Object.values(f), ...Object.values(bw)]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose(Object.values(t));
      }
      await tf.setBackend('cpu');
    },
  );

  it('make the WASM hand-written WRN pass agree with the CPU pass without them', async () => {
    const x0 = new Random(4).uniformArray(4 * 32 * 32 * 3, -1, 1);
    const loss = (y: tf.Tensor1D) => (logits: tf.Tensor2D) => {
      const [a, b] = tf.split(logits, [2, 2]);
      return outlierExposureLoss(a as tf.Tensor2D, y, b as tf.Tensor2D, 0.5, 'separate');
    };
    const run = async (backend: string, fusedBnRelu: boolean) => {
      await tf.setBackend(backend);
      if (backend === 'wasm') registerWasmTrainingKernels();
      const model = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0.3 }), 3);
      const x = tf.tensor4d(x0, [4, 32, 32, 3]);
      const y = tf.tensor1d([1, 7], 'int32');
      const r = await wrnLossAndGradients(model, x, loss(y), {
        inputGrad: true,
        weightGrads: true,
        collectStats: false,
        rng: new Random(9),
        fusedBnRelu,
      });
      const out = {
        loss: r.loss.dataSync()[0],
        dx: r.inputGrad!.dataSync() as Float32Array,
        grads: Object.fromEntries(
          Object.entries(r.grads!).map(([k, g]) => [k.replace(/^[^/]*\//, ''), g.dataSync() as Float32Array]),
        ),
      };
      tf.dispose([r.loss, r.logits, r.inputGrad!, ...Object.values(r.grads!), x, y]);
      model.dispose();
      return out;
    };
    const want = await run('cpu', false);
    const got = await run('wasm', true);
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-5);
    expect(relToMax(got.dx, want.dx)).toBeLessThan(1e-4);
    expect(Object.keys(got.grads).sort()).toEqual(Object.keys(want.grads).sort());
    for (const k of Object.keys(want.grads))
      expect(relToMax(got.grads[k], want.grads[k]), k).toBeLessThan(1e-4);
    await tf.setBackend('cpu');
  }, 600_000);
});

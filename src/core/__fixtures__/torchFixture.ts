/**
 * Test helper: the PyTorch core fixture (reference/make_core_fixtures.py → core_torch.json) and the same tiny
 * network rebuilt in tfjs from its weights, as a `LogitsFn`. Used only by tests.
 *
 * Network (NHWC in): conv3×3(3→4, pad 1) → tanh → conv3×3(4→6, stride 2, pad 1) → tanh → flatten in (h, w, c)
 * order → fc(24→5). PyTorch conv weights [out, in, kh, kw] are transposed here to tfjs [kh, kw, in, out];
 * padding is explicit and symmetric (tfjs 'same' at stride 2 would pad bottom/right only).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model';
import raw from './core_torch.json';

/** A flat row-major array with its shape, as the fixture stores every tensor. */
export interface FixtureArray {
  shape: number[];
  data: number[];
}

type Results = Record<string, FixtureArray>;

export interface CoreFixture {
  params: {
    numClasses: number;
    lambdaOe: number;
    eblLambda: number;
    marginIn: number;
    marginOut: number;
    normStd: number[];
    odinTemperature: number;
    odinEpsilon: number;
    fgsmEpsilon: number;
    temperatures: number[];
    aoeEpsilons: number[];
  };
  weights_torch_layout: Record<string, FixtureArray>;
  x_id_nhwc: FixtureArray;
  y_id: number[];
  x_ood_nhwc: FixtureArray;
  float64: Results;
  float32: Results;
}

export const fixture = raw as unknown as CoreFixture;

/** The fixture array as a float32 tensor. */
export function toTensor(a: FixtureArray): tf.Tensor {
  return tf.tensor(a.data, a.shape, 'float32');
}

/** The tfjs twin of the fixture's TinyNet. Holds its weights as tensors until `dispose()`. */
export function makeFixtureNet(): { model: LogitsFn; dispose: () => void } {
  const w = fixture.weights_torch_layout;
  const convKernel = (a: FixtureArray) =>
    tf.tidy(() => tf.transpose(toTensor(a), [2, 3, 1, 0]) as tf.Tensor4D);
  const params = {
    k1: convKernel(w['conv1.weight']),
    b1: toTensor(w['conv1.bias']) as tf.Tensor1D,
    k2: convKernel(w['conv2.weight']),
    b2: toTensor(w['conv2.bias']) as tf.Tensor1D,
    fcW: tf.tidy(() => tf.transpose(toTensor(w['fc.weight'])) as tf.Tensor2D), // [5,24] → [24,5]
    fcB: toTensor(w['fc.bias']) as tf.Tensor1D,
  };
  const pad: Array<[number, number]> = [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ];
  const model: LogitsFn = (x) =>
    tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      const h1 = tf.tanh(tf.add(tf.conv2d(tf.pad(x4, pad), params.k1, 1, 'valid'), params.b1)) as tf.Tensor4D;
      const h2 = tf.tanh(tf.add(tf.conv2d(tf.pad(h1, pad), params.k2, 2, 'valid'), params.b2));
      const flat = tf.reshape(h2, [x.shape[0], -1]) as tf.Tensor2D; // NHWC flatten = (h, w, c) order
      return tf.add(tf.matMul(flat, params.fcW), params.fcB) as tf.Tensor2D;
    });
  return { model, dispose: () => Object.values(params).forEach((t) => t.dispose()) };
}

/**
 * Asserts |actual − expected| ≤ rtol·|expected| + atol elementwise, with atol = rtol·max|expected| so that
 * entries near zero are judged on the scale of the whole array (fp32 rounding is relative to that scale).
 * Entries where `skip[i]` is true are not compared. Returns the largest error seen, for reports.
 */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-5,
  skip?: ArrayLike<boolean>,
): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    if (skip?.[i]) continue;
    const err = Math.abs(actual[i] - expected[i]);
    worst = Math.max(worst, err);
    if (!(err <= rtol * Math.abs(expected[i]) + rtol * scale)) {
      throw new Error(`index ${i}: got ${actual[i]}, expected ${expected[i]} (rtol ${rtol}, scale ${scale})`);
    }
  }
  return worst;
}

/** Mask of entries whose float64 reference gradient is too small for its sign to be meaningful in fp32. */
export function tinyGradientMask(grad: FixtureArray, threshold = 1e-7): boolean[] {
  return grad.data.map((g) => Math.abs(g) < threshold);
}

/** Runs `fn`, disposes what it returns, and returns how many tensors leaked (should be 0). */
export function leakedBy(fn: () => tf.Tensor | tf.Tensor[]): number {
  const before = tf.memory().numTensors;
  const out = fn();
  (Array.isArray(out) ? out : [out]).forEach((t) => t.dispose());
  return tf.memory().numTensors - before;
}

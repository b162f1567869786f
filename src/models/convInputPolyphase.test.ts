// The polyphase input gradient must equal the backend's Conv2DBackpropInput (CPU reference: a direct loop).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Random } from '../core/random';
import { conv2dInputGradient } from './convInputPolyphase';

const CASES = [
  { x: [2, 8, 8, 3], w: [3, 3, 3, 4], stride: 2, pad: 1 }, // WRN's strided 3×3
  { x: [2, 8, 8, 3], w: [1, 1, 3, 4], stride: 2, pad: 0 }, // WRN's strided 1×1 shortcut
  { x: [1, 9, 12, 2], w: [3, 3, 2, 3], stride: 3, pad: 1 }, // odd shapes, stride 3
  { x: [1, 6, 6, 2], w: [4, 4, 2, 2], stride: 2, pad: 1 },
  { x: [1, 7, 7, 2], w: [3, 3, 2, 2], stride: 2, pad: 1 }, // not divisible: falls back to the kernel
  { x: [2, 6, 6, 2], w: [3, 3, 2, 5], stride: 1, pad: 1 }, // stride 1: the kernel
];

describe('polyphase conv2d input gradient', () => {
  it.each(CASES)('equals Conv2DBackpropInput: x $x, w $w, stride $stride, pad $pad', (c) => {
    const r = new Random(2);
    const x = c.x as [number, number, number, number];
    const w = tf.tensor4d(
      r.normalArray(c.w.reduce((a, b) => a * b)),
      c.w as [number, number, number, number],
    );
    const ho = Math.floor((x[1] + 2 * c.pad - c.w[0]) / c.stride) + 1;
    const wo = Math.floor((x[2] + 2 * c.pad - c.w[1]) / c.stride) + 1;
    const dy = tf.tensor4d(r.normalArray(x[0] * ho * wo * c.w[3]), [x[0], ho, wo, c.w[3]]);
    const before = tf.memory().numTensors;
    const got = conv2dInputGradient(dy, w, x, c.stride, c.pad);
    expect(tf.memory().numTensors).toBe(before + 1);
    // Reference: autodiff of the forward conv (tfjs-cpu's own backprop-input loop).
    const want = tf.grad((t: tf.Tensor) => tf.conv2d(t as tf.Tensor4D, w, c.stride, c.pad))(tf.zeros(x), dy);
    expect(got.shape).toEqual(x);
    const g = got.dataSync();
    const e = want.dataSync();
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < e.length; i++) {
      worst = Math.max(worst, Math.abs(g[i] - e[i]));
      scale = Math.max(scale, Math.abs(e[i]));
    }
    expect(worst / scale).toBeLessThan(1e-6);
    tf.dispose([w, dy, got, want]);
  });
});

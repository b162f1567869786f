// signExact on the WASM backend, whose own `Sign` kernel returns 0 for |x| below ~1.2e-7 (the ODIN/FGSM input
// gradients are that small); and on the CPU backend. Expected values are the mathematical sign.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { signExact } from './common';

const values = [1e-3, 1e-7, 3e-8, 1e-12, 1e-30, 1e-40, -1e-7, -3e-8, -1e-40, 0, -0, 5];
const expected = [1, 1, 1, 1, 1, 1, -1, -1, -1, 0, 0, 1];

describe('signExact', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  for (const backend of ['wasm', 'cpu']) {
    it(`is ±1 for tiny non-zero values and 0 only at 0 (${backend})`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = tf.tensor1d(values);
      const s = tf.tidy(() => signExact(x));
      expect(Array.from(s.dataSync())).toEqual(expected);
      tf.dispose([x, s]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

// exactSign against the definition on WASM and CPU, including the tiny magnitudes tfjs-wasm's Sign zeroes.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { exactSign } from './sign';

const values = [-2.68e-10, 1e-7, -1e-6, 1e-5, 2e-4, -0.3, 0, -0, 5, 1e-38, -1e-45, Infinity, -Infinity];
const want = values.map((v) => (v > 0 ? 1 : v < 0 ? -1 : 0));

describe('exactSign', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  for (const backend of ['wasm', 'cpu'])
    it(`is ±1 for every non-zero float and 0 at zero on ${backend}`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = tf.tensor1d(values);
      const s = exactSign(x);
      expect(Array.from(s.dataSync())).toEqual(want);
      tf.dispose([x, s]);
      expect(tf.memory().numTensors).toBe(before);
    });
});

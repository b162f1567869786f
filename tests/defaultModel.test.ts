// The app's default model (public/models/wrn-16-2-cifar10/model.zip, converted from the PyTorch reference's
// weights by `npm run convert-weights`) must classify the committed CIFAR-10 test slice exactly as PyTorch
// does: the accuracy on the first 1,000 test images within 0.1 pt of the reference's (PyTorch: 93.90%), and the
// logits equal to PyTorch's (reference/results/pretrained-logits-first1000-h200.npy) to float32 rounding.
// Runs on tfjs's WASM backend (inference only): the pure-JS CPU backend takes minutes for 1,000 WRN-16-2 forwards.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeBatch } from '../src/data/augment';
import { parseNpy } from '../src/data/npy';
import { modelFromZip, PRETRAINED_NORMALIZATION } from '../src/models/io';
import { loadCifar10Fixture } from './fixtures/cifar10';

const root = new URL('../', import.meta.url);
const read = (path: string) => new Uint8Array(readFileSync(new URL(path, root)));

interface PretrainJson {
  test_accuracy: number;
  test_accuracy_first1000: number;
}

describe('default pretrained model (public/models/wrn-16-2-cifar10)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is WRN-16-2 with the pretrained normalisation, and matches PyTorch on the first 1,000 test images', () => {
    const reference = JSON.parse(
      readFileSync(new URL('reference/results/pretrain-wrn-16-2.json', root), 'utf8'),
    ) as PretrainJson;
    const { model, manifest } = modelFromZip(read('public/models/wrn-16-2-cifar10/model.zip'));
    try {
      expect(manifest.architecture).toMatchObject({ depth: 16, widenFactor: 2, numClasses: 10 });
      expect(manifest.normalization).toEqual(PRETRAINED_NORMALIZATION);
      expect(manifest.metrics.testAccuracyFirst1000).toBe(reference.test_accuracy_first1000);
      expect(manifest.metrics.testAccuracy).toBe(reference.test_accuracy);

      const test = loadCifar10Fixture('test');
      expect(test.n).toBe(1000);
      const x = normalizeBatch(test.images, { ...manifest.normalization, label: 'manifest' });
      const torchLogits = parseNpy(read('reference/results/pretrained-logits-first1000-h200.npy'));
      expect(torchLogits.dtype).toBe('<f4');
      expect(torchLogits.shape).toEqual([1000, 10]);
      const expected = new Float32Array(torchLogits.data.slice().buffer);

      const before = tf.memory().numTensors;
      const batch = 100;
      let correct = 0;
      let worst = 0;
      for (let i = 0; i < test.n; i += batch) {
        const xb = tf.tensor4d(x.subarray(i * 3072, (i + batch) * 3072), [batch, 32, 32, 3]);
        const { logits, features } = model.forward(xb, { training: false });
        const z = logits.dataSync();
        tf.dispose([xb, logits, features]);
        for (let r = 0; r < batch; r++) {
          let arg = 0;
          for (let c = 0; c < 10; c++) {
            worst = Math.max(worst, Math.abs(z[r * 10 + c] - expected[(i + r) * 10 + c]));
            if (z[r * 10 + c] > z[r * 10 + arg]) arg = c;
          }
          if (arg === test.labels![i + r]) correct++;
        }
      }
      expect(tf.memory().numTensors).toBe(before);
      const accuracy = correct / test.n;
      console.log(
        `default model: accuracy on the first 1,000 CIFAR-10 test images ${(100 * accuracy).toFixed(2)}% ` +
          `(PyTorch ${(100 * reference.test_accuracy_first1000).toFixed(2)}%), max |Δlogit| vs PyTorch ${worst.toExponential(2)}`,
      );
      expect(Math.abs(accuracy - reference.test_accuracy_first1000)).toBeLessThanOrEqual(0.001);
      expect(worst).toBeLessThan(1e-3);
    } finally {
      model.dispose();
    }
  });
});

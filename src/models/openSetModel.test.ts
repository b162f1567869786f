// The shipped 6-class open-set model (public/models/wrn-16-2-cifar10-openset-split1/, made by
// `npm run convert-weights` from reference/openset_finetune.py's weights) against PyTorch's logits of the same
// weights on the same 32 real CIFAR-10 test images (reference/make_openset_parity.py).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/helpers/fixtures';
import { cifar10OpenSetSplit } from '../data/openSetSplits';
import { parseCifarBinary } from '../data/cifar';
import { modelFromZip } from './io';

const DIR = new URL('../../public/models/wrn-16-2-cifar10-openset-split1/', import.meta.url);

describe('open-set split 1 model (public/models)', () => {
  it('is a 6-class WRN-16-2 over split 1’s known classes whose logits match PyTorch', async () => {
    await tf.setBackend('cpu');
    const zip = new Uint8Array(readFileSync(new URL('model.zip', DIR)));
    expect(zip.length).toBeLessThan(3e6); // public/ stays small
    const { model, manifest } = modelFromZip(zip);
    const ref = JSON.parse(
      readFileSync(
        new URL('../../tests/fixtures/wrn/openset-split1-logits-first32.json', import.meta.url),
        'utf8',
      ),
    ) as { classes: string[]; logits: number[][] };
    const split = cifar10OpenSetSplit(1);
    expect(manifest.architecture).toMatchObject({ depth: 16, widenFactor: 2, numClasses: 6 });
    expect(manifest.classes).toEqual(split.knownNames);
    expect(ref.classes).toEqual(split.knownNames);

    const N = 8; // of the fixture's 32 (tfjs-cpu is slow on a WRN)
    const set = parseCifarBinary(readFixture('cifar10/test_first1000.bin'), 'cifar10', 'test');
    const before = tf.memory().numTensors;
    const logits = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(set.images.subarray(0, N * 3072), [N, 32, 32, 3], 'float32'), 255);
      const { mean, std } = manifest.normalization;
      const xn = tf.div(tf.sub(x, tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor4D;
      const out = model.forward(xn, { training: false });
      out.features.dispose();
      return out.logits;
    });
    const got = logits.dataSync();
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    let worst = 0;
    let scale = 1;
    ref.logits
      .slice(0, N)
      .flat()
      .forEach((v, i) => {
        worst = Math.max(worst, Math.abs(got[i] - v));
        scale = Math.max(scale, Math.abs(v));
      });
    expect(got.length).toBe(N * 6);
    expect(worst / scale).toBeLessThan(1e-4); // fp32 tfjs-cpu vs fp32 torch
  });
});

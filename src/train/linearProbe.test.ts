// The open-set linear probe: its gradient against central finite differences of its objective, and its
// solution on split 1 against PyTorch's (reference/make_openset_probe_fixture.py: the reference's objective and
// L-BFGS on the pretrained WRN-16-2's features of 240 known training images, solved to convergence). The app
// computes the features itself (tfjs-wasm), relabels with filterByClasses and fits with fitLinearProbe, so the
// check covers relabelling, feature pass, objective and optimiser together.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar10Fixture } from '../../tests/fixtures/cifar10';
import { Random } from '../core/random';
import { filterByClasses, cifar10OpenSetSplit } from '../data/openSetSplits';
import { modelFromZip } from '../models/io';
import { registerWasmTrainingKernels } from '../models/wasmKernels';
import { normalizer } from './batches';
import { setOutputs } from './detectorEval';
import { fitLinearProbe, probeObjective, type ProbeProblem } from './linearProbe';

interface ProbeFixture {
  positions: number[];
  labels: number[];
  weightDecay: number;
  loss: number;
  weight: number[][];
  bias: number[];
  featuresFirstRow: number[];
}

describe('linear probe', () => {
  it('has the gradient of its objective (central differences)', () => {
    const rng = new Random(3);
    const p: ProbeProblem = {
      n: 20,
      dim: 5,
      classes: 3,
      features: rng.normalArray(100),
      labels: Int32Array.from({ length: 20 }, (_, i) => i % 3),
      weightDecay: 0.1,
    };
    const theta = Float64Array.from(rng.normalArray(18, 0, 0.5));
    const { grad } = probeObjective(p, theta);
    const h = 1e-6;
    for (let q = 0; q < theta.length; q++) {
      const up = Float64Array.from(theta);
      const dn = Float64Array.from(theta);
      up[q] += h;
      dn[q] -= h;
      const fd = (probeObjective(p, up).loss - probeObjective(p, dn).loss) / (2 * h);
      expect(grad[q]).toBeCloseTo(fd, 7);
    }
  });

  it('refuses labels outside the classes', async () => {
    const p = { n: 1, dim: 1, classes: 2, features: [1], labels: [2], weightDecay: 0 };
    await expect(fitLinearProbe(p)).rejects.toThrow(/Label 2/);
  });

  describe('against PyTorch on split 1 (pretrained WRN-16-2 features, tfjs-wasm)', () => {
    beforeAll(async () => {
      await tf.setBackend('wasm');
      registerWasmTrainingKernels();
    });
    afterAll(async () => {
      await tf.setBackend('cpu');
    });

    it('relabels as the reference and reaches the same head', async () => {
      const ref = JSON.parse(
        readFileSync(new URL('../../tests/fixtures/wrn/openset-probe-split1.json', import.meta.url), 'utf8'),
      ) as ProbeFixture;
      const train = loadCifar10Fixture('train');
      const split = cifar10OpenSetSplit(1);
      const known = filterByClasses(train, split.known, { relabel: true });
      // The fixture's images are the first known ones: the first rows of the relabelled set.
      const n = ref.positions.length;
      expect([...known.labels!.subarray(0, n)]).toEqual(ref.labels);
      for (let i = 0; i < n; i++) expect(split.known).toContain(train.labels![ref.positions[i]]);

      const { model, manifest } = modelFromZip(
        new Uint8Array(
          readFileSync(new URL('../../public/models/wrn-16-2-cifar10/model.zip', import.meta.url)),
        ),
      );
      const before = tf.memory().numTensors;
      const out = await setOutputs(
        model,
        known,
        normalizer(manifest.normalization.mean, manifest.normalization.std),
        {
          limit: n,
        },
      );
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
      const d = out.features.cols;
      expect(d).toBe(ref.featuresFirstRow.length);
      ref.featuresFirstRow.forEach((v, j) => expect(out.features.data[j]).toBeCloseTo(v, 4));

      const fit = await fitLinearProbe(
        {
          features: out.features.data,
          n,
          dim: d,
          labels: known.labels!.subarray(0, n),
          classes: 6,
          weightDecay: ref.weightDecay,
        },
        { maxIterations: 5000, gradientTolerance: 1e-9, changeTolerance: 0 },
      );
      expect(fit.gradientNorm).toBeLessThan(1e-8);
      expect(fit.loss).toBeCloseTo(ref.loss, 6);
      const wMax = Math.max(...ref.weight.flat().map(Math.abs));
      let worst = 0;
      ref.weight.flat().forEach((v, i) => (worst = Math.max(worst, Math.abs(fit.weight[i] - v))));
      ref.bias.forEach((v, k) => (worst = Math.max(worst, Math.abs(fit.bias[k] - v))));
      expect(worst / wMax).toBeLessThan(1e-3);
    }, 60_000);
  });
});

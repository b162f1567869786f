// The analyses' numbers against plain recomputations: histogram counts by counting, near/far means by hand,
// ROC/FPR95 by sorting and pairwise counting, the AOE-step energies and gallery by a hand-written step.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../core/random';
import { registerWasmTrainingKernels } from '../../models/wasmKernels';
import { WideResNet } from '../../models/wrn';
import { wrnConfig } from '../../models/wrnSpec';
import { noiseSet } from '../trainingSets';
import { normalizer } from '../batches';
import { binEdges, histogram, sharedEdges } from './histogram';
import { oodGroupsOf, orderFarToNear } from './oodGroups';
import { energiesOf, firstImages, outlierGallery, perturbedEnergies } from './outlierEnergy';
import { plotRoc } from './roc';
import { summariseDetectors, type MetricsWithCounts } from './summary';

describe('histogram', () => {
  it('counts like a plain loop, puts out-of-range values in the end bins and skips NaN', () => {
    const rng = new Random(3);
    const v = Array.from({ length: 1000 }, () => rng.normal() * 3);
    v.push(NaN, -100, 100);
    const edges = binEdges(-4, 4, 16);
    const counts = histogram(v, edges);
    const byHand = new Array(16).fill(0);
    for (const x of v) {
      if (Number.isNaN(x)) continue;
      let k = 0;
      while (k < 15 && !(x < edges[k + 1])) k++;
      byHand[k]++;
    }
    expect(counts).toEqual(byHand);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1002);
    const shared = sharedEdges([[0, 1, 2], [10]], 4);
    expect(shared[0]).toBe(0);
    expect(shared[4]).toBe(2);
  });
});

describe('detector summary and OOD groups', () => {
  const m = (auroc: number): MetricsWithCounts => ({
    AUROC: auroc,
    FPR95TPR: 1 - auroc,
    'AUPR-IN': auroc,
    'AUPR-OUT': auroc,
    nId: 10,
    nOod: 10,
  });
  it('orders far → near and averages all / near / far sets by hand', () => {
    expect(orderFarToNear(['CIFAR-100', 'Textures', 'Uniform noise', 'Mystery', 'Gaussian noise'])).toEqual([
      'Gaussian noise',
      'Uniform noise',
      'Textures',
      'Mystery',
      'CIFAR-100',
    ]);
    expect(oodGroupsOf(['Textures', 'Mystery', 'TinyImageNet'])).toEqual({
      Textures: 'far',
      TinyImageNet: 'near',
    });
    const [s] = summariseDetectors({
      EBO: { 'CIFAR-100': m(0.7), 'Gaussian noise': m(0.9), Textures: m(0.8), Mystery: m(0.6) },
    });
    expect(s.sets.map((x) => x.name)).toEqual(['Gaussian noise', 'Textures', 'Mystery', 'CIFAR-100']);
    expect(s.mean.AUROC).toBeCloseTo((0.7 + 0.9 + 0.8 + 0.6) / 4, 12);
    expect(s.meanFar!.AUROC).toBeCloseTo(0.85, 12);
    expect(s.meanNear!.FPR95TPR).toBeCloseTo(0.3, 12);
  });
});

describe('plotRoc', () => {
  it('gives the exact AUROC (pairwise), the FPR95 point (by sorting) and a thinned curve through (0,0), (1,1)', () => {
    const rng = new Random(5);
    const id = Array.from({ length: 400 }, () => Math.round(rng.normal() * 20) / 10);
    const ood = Array.from({ length: 300 }, () => Math.round((rng.normal() + 1) * 20) / 10);
    const r = plotRoc(id, ood, 50);
    let pairs = 0;
    for (const o of ood) for (const i of id) pairs += o > i ? 1 : o === i ? 0.5 : 0;
    expect(r.auroc).toBeCloseTo(pairs / (id.length * ood.length), 12);
    const sorted = [...ood].sort((a, b) => b - a);
    const t = sorted[Math.ceil(0.95 * ood.length) - 1];
    expect(r.fpr95.threshold).toBe(t);
    expect(r.fpr95.fpr).toBeCloseTo(id.filter((v) => v >= t).length / id.length, 12);
    expect(r.fpr95.tpr).toBeCloseTo(ood.filter((v) => v >= t).length / ood.length, 12);
    // Thinned for drawing (fewer points) with the area kept within the 1e-6 tolerance.
    expect(r.fpr.length).toBeLessThan(r.fullPoints);
    let area = 0;
    for (let i = 1; i < r.fpr.length; i++)
      area += ((r.fpr[i] - r.fpr[i - 1]) * (r.tpr[i] + r.tpr[i - 1])) / 2;
    expect(Math.abs(area - r.auroc)).toBeLessThanOrEqual(1e-6 + 1e-12);
    expect([r.fpr[0], r.tpr[0], r.fpr.at(-1), r.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
  });
});

describe('outlier energies and gallery on a tiny WRN', () => {
  let model: WideResNet;
  const pre = normalizer([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]);
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    model = new WideResNet(wrnConfig('WRN-10-1', { numClasses: 10, dropRate: 0 }), 2);
  });
  afterAll(async () => {
    model.dispose();
    await tf.setBackend('cpu');
  });

  it('steps ε down the mean-energy gradient (by hand), ε = 0 is the clean energy, nothing leaks', async () => {
    const x = firstImages(noiseSet('uniform', 12, 4), 12);
    const before = tf.memory().numTensors;
    const clean = await energiesOf(model, x, pre);
    expect(Array.from(await perturbedEnergies(model, x, 0, pre))).toEqual(Array.from(clean));
    const eps = 0.1;
    const after = await perturbedEnergies(model, x, eps, pre, undefined, 100);
    const byHand = tf.tidy(() => {
      const e = (t: tf.Tensor) =>
        tf.mean(
          tf.neg(tf.logSumExp(model.forward(pre(t) as tf.Tensor4D, { training: false }).logits, 1)),
        ) as tf.Scalar;
      const g = tf.grad(e)(x);
      // Math.sign by hand: tfjs-wasm's Sign kernel returns 0 for tiny |g| (see core/sign.ts).
      const signOfG = tf.tensor(Float32Array.from(g.dataSync(), Math.sign), g.shape);
      const adv = tf.sub(x, tf.mul(signOfG, eps));
      const l = model.forward(pre(adv) as tf.Tensor4D, { training: false }).logits;
      return Array.from(tf.neg(tf.logSumExp(l, 1)).dataSync());
    });
    after.forEach((v, i) => expect(v).toBeCloseTo(byHand[i], 4));
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(mean(after)).toBeLessThan(mean(clean));
    const gallery = await outlierGallery(model, x, [0, eps], pre);
    expect(gallery.map((row) => row.length)).toEqual([12, 12]);
    gallery[0].forEach((t, i) => expect(t.energy).toBeCloseTo(clean[i], 5));
    gallery[1].forEach((t, i) => expect(t.energy).toBeCloseTo(byHand[i], 4));
    const px = x.dataSync();
    expect(gallery[0][3].rgb[5]).toBe(Math.round(255 * px[3 * 32 * 32 * 3 + 5]));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

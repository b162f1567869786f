import { CIFAR10_CLASSES, parseCifarBinary } from '../data/cifar';
import type { ImageSet } from '../data/imageSet';
import { concatSets } from '../data/imageSet';
import { PpcaGenerator, fitPpca, subsetImages } from '../data/outliers/ppca';
import { Random } from '../core/random';
import type { TrainingData } from '../train/types';

/** Pretrained-WRN normalisation (OOD_SPEC §4: Hendrycks' stats), used for training and evaluation here. */
export const WRN_NORMALIZATION = {
  mean: [125.3 / 255, 123.0 / 255, 113.9 / 255] as [number, number, number],
  std: [63.0 / 255, 62.1 / 255, 66.7 / 255] as [number, number, number],
};

/** Summary of the loaded data for the UI. */
export interface DataStatus {
  train: number;
  test: number;
  outliers: number;
  outlierSource: string;
  oodSets: { name: string; count: number }[];
  source: string;
}

/** Seeded noise OOD test set at 32×32 (pytorch-ood's 224×224 noise downscaled would be smoother; documented). */
export function noiseSet(kind: 'gaussian' | 'uniform', count: number, seed: number): ImageSet {
  const rng = new Random(seed);
  const images = new Uint8Array(count * 32 * 32 * 3);
  for (let i = 0; i < images.length; i++) {
    const v = kind === 'gaussian' ? 128 + 128 * rng.normal() : rng.uniform() * 255;
    images[i] = Math.trunc(Math.min(255, Math.max(0, v)));
  }
  return {
    name: kind === 'gaussian' ? 'Gaussian noise' : 'Uniform noise',
    images,
    n: count,
    height: 32,
    width: 32,
    channels: 3,
    labels: null,
  };
}

/**
 * Synthetic training outliers: PPCA fitted to (up to 1,000 of) the ID training images, sampled at latent
 * variance σ² (the paper's outliers are BigGAN samples at σ²=2, which cannot be had offline).
 */
export function ppcaOutliers(train: ImageSet, count: number, sigma2: number, seed: number): ImageSet {
  const rng = new Random(seed);
  const fitSet = subsetImages(train, 1000, rng.fork());
  const gen = new PpcaGenerator(fitPpca(fitSet, rng.fork(), { components: 16, iterations: 2 }));
  return gen.sample(count, sigma2, rng.fork());
}

/** Assemble training data from CIFAR-10 binary batches (train batches concatenated) and the test batch. */
export function buildTrainingData(
  trainFiles: Uint8Array[],
  testFile: Uint8Array,
  extraOod: ImageSet[],
  source: string,
  outlierCount = 1000,
): TrainingData {
  const batches = trainFiles.map((b, i) => parseCifarBinary(b, 'cifar10', `train batch ${i + 1}`));
  const train = batches.length === 1 ? batches[0] : concatSets('CIFAR-10 train', batches);
  const test = parseCifarBinary(testFile, 'cifar10', 'CIFAR-10 test');
  const outliers = ppcaOutliers(train, outlierCount, 2, 1);
  const oodTests: Record<string, ImageSet> = {};
  for (const s of [...extraOod, noiseSet('gaussian', 500, 11), noiseSet('uniform', 500, 12)])
    oodTests[s.name] = s;
  return {
    train: { ...train, source },
    outliers,
    test,
    oodTests,
    normalization: WRN_NORMALIZATION,
    numClasses: 10,
  };
}

export function describeData(d: TrainingData): DataStatus {
  return {
    train: d.train.n,
    test: d.test.n,
    outliers: d.outliers?.n ?? 0,
    outlierSource: d.outliers?.source ?? 'none',
    oodSets: Object.values(d.oodTests).map((s) => ({ name: s.name, count: s.n })),
    source: d.train.source ?? '',
  };
}

async function fetchBytes(url: string): Promise<Uint8Array | null> {
  const r = await fetch(url);
  if (!r.ok) return null;
  const type = r.headers.get('content-type') ?? '';
  if (type.includes('text/html')) return null; // the dev server's SPA fallback, not a data file
  return new Uint8Array(await r.arrayBuffer());
}

/**
 * Load CIFAR-10 served by the app (public/data/cifar10 from `npm run data`). Only as many train batches as
 * `trainImages` needs are fetched. @returns null when the files are not there.
 */
export async function loadServedCifar(base: string, trainImages: number): Promise<TrainingData | null> {
  const need = Math.max(1, Math.min(5, Math.ceil(trainImages / 10000)));
  const test = await fetchBytes(`${base}data/cifar10/test_batch.bin`);
  if (!test) return null;
  const train: Uint8Array[] = [];
  for (let i = 1; i <= need; i++) {
    const b = await fetchBytes(`${base}data/cifar10/data_batch_${i}.bin`);
    if (!b) return null;
    train.push(b);
  }
  const textures = await fetchBytes(`${base}data/ood/textures10-32.bin`).catch(() => null);
  const extra = textures
    ? [{ ...parseCifarBinary(textures, 'cifar10', 'Textures'), labels: null, name: 'Textures' }]
    : [];
  return buildTrainingData(
    train,
    test,
    extra,
    `served CIFAR-10 (${need} train batch${need > 1 ? 'es' : ''})`,
  );
}

export const CLASS_NAMES = [...CIFAR10_CLASSES];

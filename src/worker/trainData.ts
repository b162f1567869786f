import { CIFAR10_CLASSES } from '../data/cifar';
import type { ImageSet } from '../data/imageSet';
import { PpcaGenerator, fitPpca, subsetImages } from '../data/outliers/ppca';
import { Random } from '../core/random';
import type { TrainingData } from '../train/types';
import { getIdSet, getOodSets, getTrainingOutliers } from './dataApi';

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

/**
 * Training data from the worker's `data` namespace (what the Data panel loaded): ID train + test, the current
 * training outliers and all OOD test sets. Rebuilt only when one of those sets changes identity.
 * @returns null while the ID train or test split is missing.
 */
let cached: { key: unknown[]; data: TrainingData } | null = null;
export function currentTrainingData(): TrainingData | null {
  const train = getIdSet('train');
  const test = getIdSet('test');
  if (!train || !test) return null;
  const outliers = getTrainingOutliers();
  const ood = getOodSets();
  const key = [train, test, outliers, ...ood];
  if (cached && cached.key.length === key.length && cached.key.every((k, i) => k === key[i]))
    return cached.data;
  const oodTests: Record<string, ImageSet> = {};
  for (const s of ood) oodTests[s.name] = s;
  const data: TrainingData = {
    train,
    test,
    outliers,
    oodTests,
    normalization: WRN_NORMALIZATION,
    numClasses: train.classNames?.length ?? 10,
  };
  cached = { key, data };
  return data;
}

export function describeData(d: TrainingData): DataStatus {
  return {
    train: d.train.n,
    test: d.test.n,
    outliers: d.outliers?.n ?? 0,
    outlierSource: d.outliers
      ? (d.outliers.source ?? d.outliers.name)
      : 'none — generate them in the Data panel',
    oodSets: Object.values(d.oodTests).map((s) => ({ name: s.name, count: s.n })),
    source: d.train.source ?? '',
  };
}

export const CLASS_NAMES = [...CIFAR10_CLASSES];

/** Pure helpers for assembling training data outside the Data panel (Node short run, tests): normalisation, noise OOD sets, PPCA outliers. */
import { Random } from '../core/random';
import type { ImageSet } from '../data/imageSet';
import { PRETRAINED_WRN_NORM } from '../data/augment';
import { noiseSet as drawNoiseSet } from '../data/noise';
import { PpcaGenerator, fitPpca, subsetImages } from '../data/outliers/ppca';

/** Pretrained-WRN normalisation (OOD_SPEC §4: Hendrycks' stats), used for training and evaluation here. */
export const WRN_NORMALIZATION = {
  mean: [...PRETRAINED_WRN_NORM.mean] as [number, number, number],
  std: [...PRETRAINED_WRN_NORM.std] as [number, number, number],
};

/** Seeded noise OOD test set at 32×32 (the data module's pytorch-ood law, drawn directly at 32×32). */
export function noiseSet(kind: 'gaussian' | 'uniform', count: number, seed: number): ImageSet {
  return drawNoiseSet(kind, new Random(seed), { count });
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

/** Pure helpers for assembling training data outside the Data panel (Node short run, tests): normalisation, noise OOD sets, PPCA outliers. */
import { Random } from '../core/random';
import type { ImageSet } from '../data/imageSet';
import { PpcaGenerator, fitPpca, subsetImages } from '../data/outliers/ppca';

/** Pretrained-WRN normalisation (OOD_SPEC §4: Hendrycks' stats), used for training and evaluation here. */
export const WRN_NORMALIZATION = {
  mean: [125.3 / 255, 123.0 / 255, 113.9 / 255] as [number, number, number],
  std: [63.0 / 255, 62.1 / 255, 66.7 / 255] as [number, number, number],
};

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

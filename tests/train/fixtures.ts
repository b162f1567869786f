import { Random } from '../../src/core/random';
import type { ImageSet, TrainingData } from '../../src/train/types';
import { DEFAULT_CONFIG, type ExperimentConfig } from '../../src/train/config';

/** A small two-class image set: class 0 is reddish, class 1 bluish, with per-pixel noise. */
export function colourSet(count: number, size: number, seed: number): ImageSet {
  const rng = new Random(seed);
  const images = new Uint8Array(count * size * size * 3);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const y = n % 2;
    labels[n] = y;
    for (let p = 0; p < size * size; p++) {
      const o = (n * size * size + p) * 3;
      const noise = () => rng.int(60);
      images[o] = y === 0 ? 180 + noise() : 20 + noise();
      images[o + 1] = 90 + noise();
      images[o + 2] = y === 1 ? 180 + noise() : 20 + noise();
    }
  }
  return {
    name: 'colours',
    images,
    labels: Int32Array.from(labels),
    n: count,
    height: size,
    width: size,
    channels: 3,
  };
}

/** Uniform-noise outliers (no labels). */
export function noiseSet(count: number, size: number, seed: number): ImageSet {
  const rng = new Random(seed);
  const images = new Uint8Array(count * size * size * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  return { name: 'noise', images, labels: null, n: count, height: size, width: size, channels: 3 };
}

export function tinyData(size = 8, trainCount = 16): TrainingData {
  return {
    train: colourSet(trainCount, size, 1),
    outliers: noiseSet(16, size, 2),
    test: colourSet(16, size, 3),
    oodTests: { noise: noiseSet(16, size, 4) },
    normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    numClasses: 2,
  };
}

/** A tiny-net training config of the Trainer tests: 2 epochs of 4 + 4 images per step, seed 7. */
export const TINY_TRAIN_CONFIG: ExperimentConfig = {
  ...DEFAULT_CONFIG,
  model: 'tiny',
  epochs: 2,
  subsetSize: 0,
  idBatchSize: 4,
  outlierBatchSize: 4,
  lr: 0.05,
  lrMin: 0.001,
  seed: 7,
};

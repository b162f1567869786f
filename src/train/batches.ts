import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../core/random';
import type { ImageSet } from './types';
import { augmentBatch } from '../data/augment';

/**
 * Deterministic seed derivation: the run's randomness is a pure function of (seed, stream, index), so a
 * resumed run needs no generator state beyond its step counter (the checkpoint's "rng state" is the step).
 * @returns a 32-bit seed.
 */
export function mixSeed(seed: number, stream: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [stream, index]) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** Random streams (the second argument of `mixSeed`). */
export const STREAM = { epochOrder: 1, step: 2, eval: 3, probe: 4 } as const;

/** Number of full ID batches per epoch (the short last batch is dropped, as the paper's loop does). */
export function stepsPerEpoch(trainCount: number, idBatch: number): number {
  return Math.floor(trainCount / idBatch);
}

/** The ID sample order of epoch `epoch` (a seeded permutation of 0..count−1). */
export function epochOrder(seed: number, epoch: number, count: number): Int32Array {
  return new Random(mixSeed(seed, STREAM.epochOrder, epoch)).permutation(count);
}

/**
 * Copy images `indices` of `set` into a float32 NHWC buffer in [0,1], optionally (with `rng`) through the paper's
 * augmentation `data/augment.ts` augmentBatch (flip ½, zero-pad 4, random crop; one draw per image).
 * @returns Float32Array of length indices.length·H·W·C.
 */
export function gatherImages(set: ImageSet, indices: ArrayLike<number>, rng: Random | null): Float32Array {
  const per = set.height * set.width * set.channels;
  let pixels: Uint8Array = new Uint8Array(indices.length * per);
  for (let n = 0; n < indices.length; n++)
    pixels.set(set.images.subarray(indices[n] * per, (indices[n] + 1) * per), n * per);
  if (rng) pixels = augmentBatch(pixels, indices.length, rng, set);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}

/** Labels of `indices` as int32. */
export function gatherLabels(set: ImageSet, indices: ArrayLike<number>): Int32Array {
  if (!set.labels) throw new Error('This image set has no labels.');
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = set.labels[indices[i]];
  return out;
}

/**
 * Outlier indices of step `step` within an epoch: the outliers are not shuffled and are cycled in order, as
 * the paper's code does (its outlier set is self-concatenated to the ID length, same order every epoch).
 */
export function outlierIndices(step: number, batch: number, count: number): Int32Array {
  const idx = new Int32Array(batch);
  for (let i = 0; i < batch; i++) idx[i] = (step * batch + i) % count;
  return idx;
}

/**
 * Per-channel normalisation (x − mean)/std of an NHWC tensor in [0,1]. Differentiable; used as the
 * `preprocess` of perturbations so ε stays in pixel units.
 */
export function normalizer(mean: readonly number[], std: readonly number[]): (x: tf.Tensor) => tf.Tensor {
  const m = mean.slice();
  const s = std.slice();
  return (x) => tf.tidy(() => tf.div(tf.sub(x, tf.tensor1d(m)), tf.tensor1d(s)));
}

/** Build an NHWC tensor from a gathered buffer. */
export function toImageTensor(buf: Float32Array, set: ImageSet): tf.Tensor4D {
  const n = buf.length / (set.height * set.width * set.channels);
  return tf.tensor4d(buf, [n, set.height, set.width, set.channels]);
}

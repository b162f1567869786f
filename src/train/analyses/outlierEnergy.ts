/**
 * Energies of training outliers before and after the AOE step (Fig. 3) and the outlier gallery (Fig. 2) on the
 * current model. The step is the training one, x̂ = x − ε·sign(∇ₓ mean E(x)) in pixel units through the
 * model's normalisation (core `energyGradientStep`), but with the model in EVAL mode so that the picture does
 * not depend on a batch's BN statistics or dropout (training runs the step in train mode). No clamp, as the
 * paper; tiles are clipped to [0, 1] only for display. E = −logsumexp(logits) (higher = more OOD).
 */
import * as tf from '@tensorflow/tfjs-core';
import { energyGradientStep } from '../../core/perturbations';
import { asLogitsFn } from '../../models/wrn';
import type { ImageClassifier } from '../../models/types';
import { gatherImages, toImageTensor } from '../batches';
import type { ImageSet } from '../types';

/**
 * Eval-mode energies of a batch of pixel images [M, H, W, C]; leaks nothing. Read back asynchronously: these
 * analyses run in the worker that trains, and a synchronous WebGPU read destroys SwiftShader's device.
 */
export async function energiesOf(
  model: Pick<ImageClassifier, 'forward'>,
  x: tf.Tensor4D,
  preprocess: (t: tf.Tensor) => tf.Tensor,
): Promise<Float32Array> {
  const e = tf.tidy(() => {
    const logits = model.forward(preprocess(x) as tf.Tensor4D, { training: false }).logits;
    return tf.neg(tf.logSumExp(logits, 1));
  });
  try {
    return new Float32Array(await e.data());
  } finally {
    e.dispose();
  }
}

/** The AOE step of a batch at ε (pixel units) on the eval-mode model; a new tensor, leaks nothing. */
export function aoeStep(
  model: Pick<ImageClassifier, 'forward'>,
  x: tf.Tensor4D,
  epsilon: number,
  preprocess: (t: tf.Tensor) => tf.Tensor,
): tf.Tensor4D {
  return energyGradientStep(asLogitsFn(model, false), x, { epsilon, preprocess }) as tf.Tensor4D;
}

/** The first `count` images of a set as a pixel tensor [count, H, W, C] in [0, 1]. */
export function firstImages(set: ImageSet, count: number): tf.Tensor4D {
  const n = Math.min(count, set.n);
  return toImageTensor(
    gatherImages(
      set,
      Array.from({ length: n }, (_, i) => i),
      null,
    ),
    set,
  );
}

/**
 * Energies of `x` after the AOE step at ε, in batches (cancellable between them).
 * @returns [M] energies; ε = 0 gives the clean energies exactly.
 */
export async function perturbedEnergies(
  model: Pick<ImageClassifier, 'forward'>,
  x: tf.Tensor4D,
  epsilon: number,
  preprocess: (t: tf.Tensor) => tf.Tensor,
  signal?: AbortSignal,
  batchSize = 64,
): Promise<Float32Array> {
  const m = x.shape[0];
  const out = new Float32Array(m);
  for (let start = 0; start < m; start += batchSize) {
    signal?.throwIfAborted();
    const size = Math.min(batchSize, m - start);
    const xb = tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]);
    const adv = aoeStep(model, xb, epsilon, preprocess);
    try {
      out.set(await energiesOf(model, adv, preprocess), start);
    } finally {
      tf.dispose([xb, adv]);
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  return out;
}

/** One gallery tile: RGB bytes (clipped to [0, 1] for display) and the model's energy of the unclipped input. */
export interface GalleryTile {
  epsilon: number;
  index: number;
  width: number;
  height: number;
  /** RGB, row-major, 3 bytes per pixel. */
  rgb: Uint8Array;
  energy: number;
}

/**
 * The same outliers perturbed at each ε (Fig. 2): rows are ε values, columns the outliers.
 * Each ε's batch is stepped with the batch's mean-energy gradient, like training.
 */
export async function outlierGallery(
  model: Pick<ImageClassifier, 'forward'>,
  x: tf.Tensor4D,
  epsilons: readonly number[],
  preprocess: (t: tf.Tensor) => tf.Tensor,
): Promise<GalleryTile[][]> {
  const [m, h, w] = x.shape;
  const rows: GalleryTile[][] = [];
  for (const epsilon of epsilons) {
    const adv = aoeStep(model, x, epsilon, preprocess);
    let energies: Float32Array, px: Float32Array;
    try {
      energies = await energiesOf(model, adv, preprocess);
      px = (await adv.data()) as Float32Array;
    } finally {
      adv.dispose();
    }
    rows.push(
      Array.from({ length: m }, (_, index) => {
        const rgb = new Uint8Array(h * w * 3);
        const base = index * h * w * 3;
        for (let i = 0; i < rgb.length; i++)
          rgb[i] = Math.round(255 * Math.min(1, Math.max(0, px[base + i])));
        return { epsilon, index, width: w, height: h, rgb, energy: energies[index] };
      }),
    );
  }
  return rows;
}

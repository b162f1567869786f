import * as tf from '@tensorflow/tfjs-core';
import { wrnFromState } from './io';
import type { ImageClassifier } from './types';
import type { WideResNet } from './wrn';

/**
 * A new WideResNet with `src`'s convolutions and BatchNorm (weights and running statistics) but another
 * classification head: `weight` [D, C] row-major (the tfjs fc layout, D = penultimate width), `bias` [C]. The
 * class count C comes from `bias`. `src` is left as it is (the caller still owns it).
 * @param dropRate dropout of the new model (default: `src`'s).
 */
export function withHead(
  src: ImageClassifier,
  weight: ArrayLike<number>,
  bias: ArrayLike<number>,
  dropRate = src.config.dropRate,
): WideResNet {
  const state = src.getState();
  const old = state.tensors.get('fc.weight');
  if (!old) {
    for (const t of state.tensors.values()) t.dispose();
    throw new Error('The start model has no fc.weight: it is not a WideResNet classifier.');
  }
  const classes = bias.length;
  const dim = old.shape[0];
  if (weight.length !== dim * classes) {
    for (const t of state.tensors.values()) t.dispose();
    throw new Error(
      `A ${classes}-way head on ${dim} features needs ${dim * classes} weights, got ${weight.length}.`,
    );
  }
  old.dispose();
  state.tensors.get('fc.bias')?.dispose();
  state.tensors.set('fc.weight', tf.tensor2d(Float32Array.from(weight), [dim, classes]));
  state.tensors.set('fc.bias', tf.tensor1d(Float32Array.from(bias)));
  // wrnFromState disposes `state`.
  return wrnFromState({ ...src.config, numClasses: classes, dropRate }, state);
}

/** Overwrite a WRN's head in place (shapes must match its current head). */
export function setHead(model: WideResNet, weight: ArrayLike<number>, bias: ArrayLike<number>): void {
  const w = model.variable('fc.weight');
  const b = model.variable('fc.bias');
  if (weight.length !== w.size || bias.length !== b.size)
    throw new Error(
      `The head is [${w.shape.join(', ')}] + [${b.shape.join(', ')}]; got ${weight.length} + ${bias.length} values.`,
    );
  tf.tidy(() => {
    w.assign(tf.tensor(Float32Array.from(weight), w.shape));
    b.assign(tf.tensor(Float32Array.from(bias), b.shape));
  });
}

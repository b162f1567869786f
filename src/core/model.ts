import type * as tf from '@tensorflow/tfjs-core';

/**
 * Anything that maps a batch of inputs to logits, differentiably: a WideResNet's forward pass, the toy MLP's,
 * or a test network. Perturbations and detectors take one of these and never need to know the architecture.
 * @param x inputs, [N, ...inputShape] (images: NHWC float32, already normalised as the model expects).
 * @returns logits [N, C].
 */
export type LogitsFn = (x: tf.Tensor) => tf.Tensor2D;

import type * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../core/random';

/**
 * The model interface the training loop needs. It mirrors `ImageClassifier` in src/models/types.ts (owned by the
 * WideResNet engineer); it is declared here structurally so that src/train compiles before that file lands and
 * any model with this shape (the WRN, the tiny test network) can be trained.
 */
export interface ForwardOptions {
  /** Train mode: BatchNorm normalises with the batch statistics and dropout is active. */
  training: boolean;
  /** Source of dropout masks in train mode (every random choice goes through a `Random`). */
  rng?: Random;
}

/** Output of one forward pass. */
export interface ForwardResult {
  /** [N, C] logits. */
  logits: tf.Tensor2D;
  /** [N, D] penultimate features. */
  features: tf.Tensor2D;
  /**
   * Train mode only: the per-BatchNorm batch statistics of this pass (opaque to the loop). They update the
   * running statistics only when passed to `applyBatchNormStats`; dropping them (disposing) discards the update.
   */
  batchStats: tf.TensorContainer | null;
}

/** A named float array with its shape: the plain, structured-cloneable form of a tensor. */
export interface NamedArray {
  shape: number[];
  values: Float32Array;
}

/** A classifier of NHWC float images, normalised as the model expects. */
export interface TrainableClassifier {
  forward(x: tf.Tensor4D, options: ForwardOptions): ForwardResult;
  /** The variables an optimizer updates (weights, BN γ/β), in a stable order. */
  trainableVariables(): tf.Variable[];
  /** Commit a train-mode pass's batch statistics into the running statistics (PyTorch momentum 0.1). */
  applyBatchNormStats(stats: tf.TensorContainer): void;
  /** All parameters and buffers (incl. BN running statistics) as plain arrays keyed by a stable name. */
  getState(): Promise<Record<string, NamedArray>> | Record<string, NamedArray>;
  /** Restore what `getState` returned (same architecture). */
  setState(state: Record<string, NamedArray>): void;
}

/**
 * An optimizer stepping a fixed list of variables with an explicit learning rate per step (the schedule lives
 * in the loop). Its state (e.g. momentum buffers) must round-trip through plain arrays for checkpoints.
 */
export interface StepOptimizer {
  /** One update: `grads[i]` is the gradient of `variables[i]`; `lr` this step's learning rate. */
  step(variables: tf.Variable[], grads: tf.Tensor[], lr: number): void;
  getState(): Promise<NamedArray[]> | NamedArray[];
  setState(state: NamedArray[]): void;
  dispose(): void;
}

/** Images as stored: uint8 NHWC, [n, 32, 32, 3]. */
export interface ImageSet {
  images: Uint8Array;
  /** Integer labels 0..C−1 (absent for outlier sets). */
  labels?: Uint8Array | Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** Everything a run trains and evaluates on. */
export interface TrainingData {
  /** ID training set (e.g. CIFAR-10 train). */
  train: ImageSet;
  /** Training outliers (synthetic or loaded); may be empty for CE. */
  outliers: ImageSet | null;
  /** ID test set for accuracy and as the negative class of OOD metrics. */
  test: ImageSet;
  /** Named OOD test sets. */
  oodTests: Record<string, ImageSet>;
  /** Per-channel normalisation the model expects (pixels in [0,1] → (x − mean)/std). */
  normalization: { mean: [number, number, number]; std: [number, number, number] };
  numClasses: number;
}

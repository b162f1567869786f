import type { ImageSet } from '../data/imageSet';
import type { ImageClassifier } from '../models/types';

/**
 * What the training loop needs of a model: the WRN engineer's `ImageClassifier` (src/models/types.ts) minus
 * its architecture config, so the tiny test network can be trained too.
 */
export type TrainableClassifier = Pick<
  ImageClassifier,
  'forward' | 'trainableVariables' | 'applyBatchNormStats' | 'getState' | 'setState'
>;

/** A named float array with its shape: the plain, structured-cloneable form of a tensor. */
export interface NamedArray {
  shape: number[];
  values: Float32Array;
}

export type { ImageSet };

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

import { CIFAR10_CLASSES } from '../data/cifar';
import { WRN_NORMALIZATION } from '../train/trainingSets';
import type { TrainingData } from '../train/types';
import { dataSession } from './dataApi';

/** Summary of the loaded data for the UI. */
export interface DataStatus {
  train: number;
  test: number;
  outliers: number;
  outlierSource: string;
  oodSets: { name: string; count: number }[];
  source: string;
  /** Classes of the ID data (CIFAR-10: 10, CIFAR-100: 100). */
  classes: number;
  /** The ID data's name ("CIFAR-100"). */
  idName: string;
}

export { WRN_NORMALIZATION };

/**
 * Training data from the worker's `data` namespace (what the Data panel loaded): ID train + test, the current
 * training outliers and all OOD test sets (src/train/dataSession.ts; rebuilt only when a set changes identity).
 * @returns null while the ID train or test split is missing.
 */
export function currentTrainingData(): TrainingData | null {
  return dataSession.trainingData();
}

export function describeData(d: TrainingData): DataStatus {
  return {
    train: d.train.n,
    test: d.test.n,
    outliers: d.outliers?.n ?? 0,
    outlierSource: d.outliers
      ? (d.outliers.source ?? d.outliers.name)
      : 'none — generate them in the Data panel',
    oodSets: Object.entries(d.oodTests).map(([name, s]) => ({ name, count: s.n })),
    source: d.train.source ?? '',
    classes: d.numClasses,
    idName: d.train.name.replace(/ train$/, ''),
  };
}

export const CLASS_NAMES = [...CIFAR10_CLASSES];

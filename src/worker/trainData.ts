import { CIFAR10_CLASSES } from '../data/cifar';
import type { ImageSet } from '../data/imageSet';
import { uniqueName } from '../data/uniqueNames';
import { WRN_NORMALIZATION } from '../train/trainingSets';
import type { TrainingData } from '../train/types';
import { getIdSet, getOodSets, getTrainingOutliers } from './dataApi';

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
 * training outliers and all OOD test sets. Rebuilt only when one of those sets changes identity.
 * @returns null while the ID train or test split is missing.
 */
let cached: { key: unknown[]; data: TrainingData } | null = null;
export function currentTrainingData(): TrainingData | null {
  const train = getIdSet('train');
  const test = getIdSet('test');
  if (!train || !test) return null;
  const outliers = getTrainingOutliers();
  const ood = getOodSets();
  const key = [train, test, outliers, ...ood];
  if (cached && cached.key.length === key.length && cached.key.every((k, i) => k === key[i]))
    return cached.data;
  const oodTests: Record<string, ImageSet> = {};
  // names are made unique when sets are loaded; this guards the keying evaluation reports by
  for (const s of ood) oodTests[uniqueName(s.name, Object.keys(oodTests))] = s;
  const data: TrainingData = {
    train,
    test,
    outliers,
    oodTests,
    normalization: WRN_NORMALIZATION,
    numClasses: train.classNames?.length ?? 10,
  };
  cached = { key, data };
  return data;
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

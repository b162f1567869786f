import { CIFAR10_CLASSES } from './cifar';
import { DataError } from './errors';
import { imageBytes, type ImageSet } from './imageSet';

/**
 * CIFAR-10 open-set splits: 6 known classes, the other 4 unknown. These are the five standard splits of open-set
 * recognition work (Neal et al., ECCV 2018, reused by Vaze et al., ICLR 2022 "Open-Set Recognition: a Good
 * Closed-Set Classifier is All You Need?"), copied from Vaze et al.'s repository sgvaze/osr_closed_set_all_you_need,
 * data/open_set_splits/osr_splits.py, key 'cifar-10-10', in its list order. reference/openset_finetune.py holds
 * the same lists.
 *
 * Labels: known classes are relabelled 0..5 in ascending CIFAR-10 index order (Vaze et al. relabel in list
 * order; the two differ by a permutation of the labels, which changes no metric).
 */
export const CIFAR10_OPEN_SET_KNOWN: readonly (readonly number[])[] = [
  [0, 6, 4, 9, 1, 7],
  [7, 6, 4, 9, 0, 1],
  [1, 5, 7, 3, 9, 4],
  [8, 6, 1, 9, 0, 7],
  [2, 4, 1, 7, 9, 6],
];

/** One open-set split in CIFAR-10 class indices, both lists ascending. */
export interface OpenSetSplit {
  /** 1..5, as numbered in the literature. */
  index: number;
  known: number[];
  unknown: number[];
  /** Names of the known classes in label order (label i ↔ knownNames[i]). */
  knownNames: string[];
  unknownNames: string[];
}

/**
 * Split `index` (1..5) of the standard CIFAR-10 open-set protocol.
 * @throws DataError for an index outside 1..5.
 */
export function cifar10OpenSetSplit(index: number): OpenSetSplit {
  const list = CIFAR10_OPEN_SET_KNOWN[index - 1];
  if (!Number.isInteger(index) || !list)
    throw new DataError(`open-set split ${index} does not exist: the CIFAR-10 splits are numbered 1 to 5.`);
  const known = [...list].sort((a, b) => a - b);
  const unknown = CIFAR10_CLASSES.map((_, c) => c).filter((c) => !known.includes(c));
  return {
    index,
    known,
    unknown,
    knownNames: known.map((c) => CIFAR10_CLASSES[c]),
    unknownNames: unknown.map((c) => CIFAR10_CLASSES[c]),
  };
}

/**
 * The images of `set` whose label is in `classes`, in their original order (a copy).
 * @param relabel when true, label `classes[i]` becomes i (so pass `classes` ascending for the split's labels);
 *   otherwise labels are kept.
 * @throws DataError when the set has no labels.
 */
export function filterByClasses(
  set: ImageSet,
  classes: readonly number[],
  opts: { relabel?: boolean; name?: string } = {},
): ImageSet {
  if (!set.labels) throw new DataError('has no labels, so it cannot be split by class.', set.name);
  const map = new Map(classes.map((c, i) => [c, i]));
  const keep: number[] = [];
  for (let i = 0; i < set.n; i++) if (map.has(set.labels[i])) keep.push(i);
  const b = imageBytes(set);
  const images = new Uint8Array(keep.length * b);
  const labels = new Int32Array(keep.length);
  keep.forEach((src, dst) => {
    images.set(set.images.subarray(src * b, (src + 1) * b), dst * b);
    labels[dst] = opts.relabel ? map.get(set.labels![src])! : set.labels![src];
  });
  const names = set.classNames;
  return {
    name: opts.name ?? set.name,
    images,
    n: keep.length,
    height: set.height,
    width: set.width,
    channels: set.channels,
    labels,
    classNames: opts.relabel && names ? classes.map((c) => names[c] ?? `class ${c}`) : names,
    source: set.source,
  };
}

/** What a split makes of CIFAR-10: the 6-class training and test sets and the unknown-class OOD test set. */
export interface OpenSetData {
  split: OpenSetSplit;
  /** Known classes of the training set, labels 0..5. */
  train: ImageSet;
  /** Known classes of the test set, labels 0..5 (the ID test set). */
  knownTest: ImageSet;
  /** Unknown classes of the test set (the near-OOD set 'cifar10-unknown'); original CIFAR-10 labels kept. */
  unknownTest: ImageSet;
}

/**
 * Applies open-set split `index` to CIFAR-10 train and test sets (labels 0..9).
 * @returns train/knownTest relabelled 0..5 in ascending class order, unknownTest with its CIFAR-10 labels.
 */
export function cifar10OpenSet(train: ImageSet, test: ImageSet, index: number): OpenSetData {
  const split = cifar10OpenSetSplit(index);
  const tag = `open-set split ${index}`;
  return {
    split,
    train: filterByClasses(train, split.known, { relabel: true, name: `CIFAR-10 known train (${tag})` }),
    knownTest: filterByClasses(test, split.known, { relabel: true, name: `CIFAR-10 known test (${tag})` }),
    unknownTest: filterByClasses(test, split.unknown, {
      name: `CIFAR-10 unknown classes (${tag})`,
    }),
  };
}

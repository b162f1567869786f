import type { ImageSet } from '../data/imageSet';

/** A set's class count as the data declares it: its class names, else the largest label + 1 (null: unlabelled). */
export function classCountOf(set: ImageSet): number | null {
  if (set.classNames?.length) return set.classNames.length;
  if (!set.labels || set.labels.length === 0) return null;
  let max = 0;
  for (const l of set.labels) if (l > max) max = l;
  return max + 1;
}

/** A human name for the ID data ("CIFAR-100" from "CIFAR-100 train"). */
const dataName = (set: ImageSet) => set.name.replace(/ (train|test)$/, '');

/**
 * Why the model's head cannot be used on this ID data, or null when they agree. Checks the declared class count
 * of every labelled set and that no label reaches past the head (a 10-class head on CIFAR-100 labels would
 * otherwise train silently with ~0 loss on labels ≥ 10).
 * @param modelClasses width of the model's classification head (logits per image).
 * @param sets the ID sets the action reads (train and/or test).
 * @param action what is refused ("train", "evaluate", …), for the message.
 */
export function classMismatch(modelClasses: number, sets: ImageSet[], action: string): string | null {
  for (const set of sets) {
    const k = classCountOf(set);
    if (k === null) continue;
    let maxLabel = -1;
    if (set.labels) for (const l of set.labels) if (l > maxLabel) maxLabel = l;
    if (k !== modelClasses || maxLabel >= modelClasses)
      return (
        `Cannot ${action}: the model has a ${modelClasses}-class head but the ID data (${dataName(set)}) has ` +
        `${Math.max(k, maxLabel + 1)} classes. Import a model trained on ${dataName(set)} (a ` +
        `${Math.max(k, maxLabel + 1)}-class head), or create a new model — its head takes the class count of the ` +
        'loaded data — and pre-train it with the “CE pre-training” preset.'
      );
  }
  return null;
}

/** Throws {@link classMismatch}'s message when the model's head and the ID data disagree. */
export function assertClassesAgree(modelClasses: number, sets: ImageSet[], action: string): void {
  const why = classMismatch(modelClasses, sets, action);
  if (why) throw new Error(why);
}

/** The head width of a serialised WRN state (a checkpoint): the length of 'fc.bias', or null if absent. */
export function headClassesOfState(tensors: Record<string, { shape: number[] }>): number | null {
  const b = tensors['fc.bias'];
  return b && b.shape.length === 1 ? b.shape[0] : null;
}

/**
 * Class names for a model's manifest: the ID data's when they fit the head, else "class i" placeholders (so an
 * exported model always lists exactly as many names as it has logits).
 */
export function classNamesFor(numClasses: number, dataNames: string[] | undefined): string[] {
  if (dataNames && dataNames.length === numClasses) return [...dataNames];
  return Array.from({ length: numClasses }, (_, i) => `class ${i}`);
}

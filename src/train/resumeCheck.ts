import type { Checkpoint } from './checkpoint';
import { usesOutliers } from './config';
import type { ImageSet, TrainingData } from './types';

/** Which data a checkpoint was trained on, so a resume can tell whether the same data is loaded again. */
export interface DataFingerprint {
  train: { n: number; checksum: number };
  outliers: { name: string; n: number; checksum: number } | null;
}

/** FNV-1a over at most 65,536 bytes sampled evenly from the pixels, plus the count (cheap; not cryptographic). */
export function pixelChecksum(set: ImageSet): number {
  const bytes = set.images;
  const stride = Math.max(1, Math.floor(bytes.length / 65_536));
  let h = 0x811c9dc5 ^ set.n;
  for (let i = 0; i < bytes.length; i += stride) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function fingerprintData(d: TrainingData): DataFingerprint {
  return {
    train: { n: d.train.n, checksum: pixelChecksum(d.train) },
    outliers: d.outliers
      ? { name: d.outliers.name, n: d.outliers.n, checksum: pixelChecksum(d.outliers) }
      : null,
  };
}

/**
 * Whether a checkpoint can be resumed on the loaded data. `blocking` problems mean the resume must not start
 * (nothing may change before it can succeed); `warnings` mean it can start but will not continue the run on
 * exactly the same data (the curves after the resume are then not those of an uninterrupted run).
 */
export function resumeProblems(
  cp: Pick<Checkpoint, 'config'> & { data?: DataFingerprint },
  data: TrainingData | null,
): { blocking: string[]; warnings: string[] } {
  const blocking: string[] = [];
  const warnings: string[] = [];
  const c = cp.config;
  if (!data) {
    blocking.push(
      'The ID training and test split are not loaded yet: wait for the Data panel to finish loading.',
    );
    return { blocking, warnings };
  }
  if (usesOutliers(c.method) && !data.outliers?.n)
    blocking.push(
      `${c.method} needs the training outliers, which are not ready yet: wait until the Data panel has generated (or restored) them.`,
    );
  const trainCount = c.subsetSize ? Math.min(c.subsetSize, data.train.n) : data.train.n;
  if (trainCount < c.idBatchSize)
    blocking.push(
      `The loaded training set (${data.train.n} images) is smaller than the ID batch (${c.idBatchSize}).`,
    );
  const was = cp.data;
  if (was && blocking.length === 0) {
    const now = fingerprintData(data);
    if (was.train.n !== data.train.n || was.train.checksum !== now.train.checksum)
      warnings.push(
        `The ID training set differs from the one the checkpoint was trained on (${was.train.n} images then, ${data.train.n} now).`,
      );
    const o = now.outliers;
    if (
      usesOutliers(c.method) &&
      was.outliers &&
      o &&
      (was.outliers.n !== o.n || was.outliers.checksum !== o.checksum)
    )
      warnings.push(
        `The training outliers differ from the checkpoint's ("${was.outliers.name}", ${was.outliers.n} then; "${o.name}", ${o.n} now).`,
      );
  }
  return { blocking, warnings };
}

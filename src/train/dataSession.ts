/**
 * The data worker's session state as one object Node tests reach: every loaded set by key ('id:train',
 * 'id:test', 'outliers', 'ood:<file>') with whether IndexedDB holds a copy, the fitted outlier generator, the
 * user's size limits and the one running load/fit job (a new job aborts the previous one; Cancel aborts it), and
 * the training data view of those sets. The worker (`src/worker/dataApi.ts`) is a thin adapter over it. DOM-free.
 */
import type { ImageSet } from '../data/imageSet';
import type { SizeLimits } from '../data/limits';
import type { LoadedSet } from '../data/loadFiles';
import type { PpcaGenerator } from '../data/outliers/ppca';
import { uniqueName } from '../data/uniqueNames';
import { WRN_NORMALIZATION } from './trainingSets';
import type { TrainingData } from './types';

/** A loaded set and whether IndexedDB holds a copy (restored without upload after a reload). */
export type StoredSet = LoadedSet & { cached: boolean };

export class DataSession {
  readonly sets = new Map<string, StoredSet>();
  /** The PPCA generator fitted to the ID training set (dropped when that set changes). */
  generator: PpcaGenerator | null = null;
  /** The user's size limits for loads (unset fields keep their defaults). */
  limits: Partial<SizeLimits> = {};
  private job: AbortController | null = null;
  private cached: { key: unknown[]; data: TrainingData } | null = null;

  /** Start a load/fit job, aborting the previous one. @returns its signal. */
  startJob(): AbortSignal {
    this.job?.abort();
    this.job = new AbortController();
    return this.job.signal;
  }

  /** Cancel the running job (its signal aborts). */
  cancelJob(): void {
    this.job?.abort();
  }

  /** Add or replace a set; a new ID training set drops the generator fitted to the old one. */
  put(s: StoredSet): void {
    this.sets.set(s.key, s);
    if (s.role === 'id' && s.split === 'train') this.generator = null;
  }

  remove(key: string): void {
    this.sets.delete(key);
  }

  /** The ID training / test set, if loaded (uint8 NHWC). */
  idSet(split: 'train' | 'test'): ImageSet | null {
    return this.sets.get(`id:${split}`)?.set ?? null;
  }

  /** The current training outliers (loaded file or generated), if any. */
  trainingOutliers(): ImageSet | null {
    return this.sets.get('outliers')?.set ?? null;
  }

  /** All OOD test sets, in load order. */
  oodSets(): ImageSet[] {
    return [...this.sets.values()].filter((s) => s.role === 'ood').map((s) => s.set);
  }

  /**
   * Training data from the loaded sets: ID train + test, the training outliers and all OOD test sets (uniquely
   * named), normalised with the pretrained CIFAR-10 statistics (the training session substitutes the loaded
   * model's own). The same object while none of those sets changed identity; null while a split is missing.
   */
  trainingData(): TrainingData | null {
    const train = this.idSet('train');
    const test = this.idSet('test');
    if (!train || !test) return null;
    const outliers = this.trainingOutliers();
    const ood = this.oodSets();
    const key = [train, test, outliers, ...ood];
    const c = this.cached;
    if (c && c.key.length === key.length && c.key.every((k, i) => k === key[i])) return c.data;
    const oodTests: Record<string, ImageSet> = {};
    for (const s of ood) oodTests[uniqueName(s.name, Object.keys(oodTests))] = s;
    const data: TrainingData = {
      train,
      test,
      outliers,
      oodTests,
      normalization: WRN_NORMALIZATION,
      numClasses: train.classNames?.length ?? 10,
    };
    this.cached = { key, data };
    return data;
  }
}

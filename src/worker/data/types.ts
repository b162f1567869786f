/** Shared, serialisable types of the worker's `data` namespace (imported by the UI too). */
import type { SizeLimits } from '../../data/limits';

export type DataRole = 'id' | 'outliers' | 'ood';

/** One loaded image set, as the UI lists it. */
export interface SetSummary {
  /** Stable key ('id:train', 'ood:textures10-32.bin', …). */
  key: string;
  role: DataRole;
  /** ID sets only. */
  split?: 'train' | 'test';
  name: string;
  n: number;
  /** Number of classes (labelled sets), null for unlabelled ones. */
  classes: number | null;
  classNames?: string[];
  /** Images per class (labelled sets). */
  perClass?: number[];
  /** Pixel bytes in memory. */
  bytes: number;
  /** Where it came from. */
  source: string;
  /** True when the set is stored in IndexedDB (restored on the next visit without an upload). */
  cached: boolean;
  /** OOD sets: near/far from src/data/oodCatalog.ts, null when the catalog does not know the set. */
  group?: 'near' | 'far' | null;
}

/** The fitted outlier generator, if any. */
export interface GeneratorSummary {
  name: string;
  q: number;
  fitCount: number;
  /** Share of the pixel variance in the top-q components. */
  explained: number;
  noiseVariance: number;
  totalVariance: number;
  /** How σ² enters (shown in the UI). */
  sigma2Rule: string;
}

export interface DataSummary {
  sets: SetSummary[];
  /** The size limits loads run under (see src/data/limits.ts). */
  limits: SizeLimits;
  generator: GeneratorSummary | null;
}

/** A message about one file or step, for the UI's message list. */
export interface DataMessage {
  level: 'error' | 'warning' | 'info';
  /** The file (or step) the message is about. */
  file: string;
  text: string;
}

export interface LoadResult {
  summary: DataSummary;
  /** Keys of sets added or replaced by this call. */
  added: string[];
  messages: DataMessage[];
}

/** Progress of a long data call. `done`/`total` are bytes or items as `unit` says. */
export interface DataProgress {
  phase: string;
  done: number;
  total: number;
  unit: 'bytes' | 'items' | 'passes';
}

/** A few images for thumbnails: uint8 NHWC [n, 32, 32, 3]. */
export interface Thumbs {
  images: Uint8Array;
  n: number;
  labels: number[] | null;
}

export interface DataWorkerApi {
  /** Restores the IndexedDB cache; without a cached ID set, loads what `npm run data` serves under /data/. */
  restore(onProgress?: (p: DataProgress) => void): Promise<LoadResult>;
  /** Loads the files the user dropped or picked, for one role. All-or-nothing per call. */
  loadFiles(files: File[], role: DataRole, onProgress?: (p: DataProgress) => void): Promise<LoadResult>;
  /** Adds (or regenerates) the Gaussian and uniform noise OOD sets. */
  addNoiseSets(opts: {
    count: number;
    resize: 'subsample' | 'antialias';
    seed: number;
  }): Promise<DataSummary>;
  /** Fits PPCA on a seeded subset of the ID training set. */
  fitGenerator(
    opts: { components: number; fitCount: number; seed: number },
    onProgress?: (p: DataProgress) => void,
  ): Promise<DataSummary>;
  /** Draws the training outlier set (replaces the current one) from the fitted generator. */
  generateOutliers(opts: { sigma2: number; count: number; seed: number }): Promise<DataSummary>;
  /** The first `count` images of a set. */
  thumbnails(key: string, count: number): Promise<Thumbs>;
  /** A few fresh generator samples at σ² (for the σ² preview). */
  sampleThumbnails(sigma2: number, count: number, seed: number): Promise<Thumbs>;
  /** The training outliers as `samples-<σ²>.npz` bytes (array x, uint8, (N,3,32,32)). */
  exportOutliersNpz(): Promise<Uint8Array>;
  summary(): Promise<DataSummary>;
  /** Forgets one set (and its cached copy). */
  remove(key: string): Promise<DataSummary>;
  /** Empties the IndexedDB cache (loaded sets stay in memory until reload). */
  clearCache(): Promise<DataSummary>;
  /** Changes the size limits of later loads (bytes an archive / entry may inflate to, pixels an image may declare). */
  setLimits(patch: Partial<SizeLimits>): Promise<DataSummary>;
  /** Aborts the running load/fit (its AbortSignal); it stops within a second, loading nothing. */
  cancel(): void;
}

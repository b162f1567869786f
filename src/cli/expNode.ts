/**
 * `npm run exp` in Node: the experiment runner on the tfjs WASM or CPU backend, with rows kept in
 * `<out>/<id>.json` (aoe-results, rewritten after every cell so a restart resumes where it stopped) and
 * `<out>/<id>.csv`, and the WRN environment built from public/data (CIFAR-10 + the OOD sets its manifest lists +
 * Gaussian/uniform noise, exactly as the app's Data panel loads them) and the pretrained WRN-16-2 zip.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// Registers gradients in Node (CJS build); the toy trainer and the WRN step need them.
import '@tensorflow/tfjs';
import { cpus } from 'node:os';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../core/random';
import { loadFiles, type InputFile } from '../data/loadFiles';
import { noiseSet } from '../data/noise';
import type { ImageSet } from '../data/imageSet';
import { modelFromZip } from '../models/io';
import { registerWasmTrainingKernels } from '../models/wasmKernels';
import type { WideResNet } from '../models/wrn';
import { WRN_NORMALIZATION } from '../train/trainingSets';
import type { TrainingData } from '../train/types';
import { cellScoresToCsv, type CellScores } from '../experiments/cellScores';
import { rowsToCsv } from '../experiments/csv';
import { createWrnExecutor } from '../experiments/executors/wrnCell';
import { createWrnOpenSetExecutor } from '../experiments/executors/wrnOpenSetCell';
import { executorFor } from '../experiments/executors/table';
import { toyExecutor } from '../experiments/executors/toyCell';
import { fromResultsFile, mergeRows, toResultsFile } from '../experiments/results';
import {
  runExperiment,
  type CellExecutor,
  type ExperimentProgress,
  type ResultsStore,
} from '../experiments/run';
import type { ExperimentSpec, ResultRow, Scalar, ScaleName } from '../experiments/types';
import { APP_VERSION } from '../experiments/version';
import { createWrnEnvironment } from '../experiments/wrnEnvironment';

/**
 * A results store backed by `<dir>/<id>.json` (+ `.csv`), rewritten atomically after every finished cell, and
 * each cell's per-sample scores in `<dir>/<id>.<cellKey>.<scale>.scores.csv` next to them.
 */
export class FileResultsStore implements ResultsStore {
  readonly rows: ResultRow[];
  constructor(
    readonly dir: string,
    readonly id: string,
  ) {
    this.rows = existsSync(this.jsonPath)
      ? fromResultsFile(JSON.parse(readFileSync(this.jsonPath, 'utf8')))
      : [];
  }
  get jsonPath(): string {
    return join(this.dir, `${this.id}.json`);
  }
  get csvPath(): string {
    return join(this.dir, `${this.id}.csv`);
  }
  async rowsForCell(cellKey: string, scale: string): Promise<ResultRow[]> {
    return this.rows.filter((r) => r.cellKey === cellKey && r.scale === scale && r.origin !== 'paper');
  }
  async add(rows: readonly ResultRow[]): Promise<void> {
    const merged = mergeRows(this.rows, rows);
    this.rows.splice(0, this.rows.length, ...merged);
    this.write();
  }
  /** `<dir>/<id>.<cellKey>.<scale>.scores.csv`: where a cell's per-sample scores are kept. */
  scoresPath(cellKey: string, scale: string): string {
    return join(this.dir, `${this.id}.${cellKey}.${scale}.scores.csv`);
  }
  async addScores(scores: CellScores): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const path = this.scoresPath(scores.cellKey, scores.scale);
    writeFileSync(`${path}.tmp`, cellScoresToCsv(scores));
    renameSync(`${path}.tmp`, path);
  }
  write(): void {
    mkdirSync(this.dir, { recursive: true });
    const file = toResultsFile(this.rows, `npm run exp (aoe-playground ${APP_VERSION})`);
    writeFileSync(`${this.jsonPath}.tmp`, JSON.stringify(file));
    renameSync(`${this.jsonPath}.tmp`, this.jsonPath);
    writeFileSync(this.csvPath, rowsToCsv(this.rows));
  }
}

function fileInput(path: string, name: string): InputFile {
  return {
    name,
    size: 0,
    bytes: async () => new Uint8Array(readFileSync(path)),
    stream: () => [new Uint8Array(readFileSync(path))],
  };
}

interface Manifest {
  cifar10?: { files: { path: string }[] };
  ood?: { path: string }[];
}

/**
 * The data the app's Data panel loads from what `npm run data` serves: CIFAR-10 train/test, the OOD `.bin` and
 * IDX files of the manifest, and 1,000 Gaussian + 1,000 uniform noise images (seed 1, as the panel draws them).
 */
export async function loadServedData(dataDir: string): Promise<TrainingData> {
  const manifestPath = join(dataDir, 'manifest.json');
  if (!existsSync(manifestPath))
    throw new Error(`${manifestPath} is missing: run \`npm run data\` first (it prepares CIFAR-10).`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const opts = {
    decode: async () => {
      throw new Error('image archives are not read in Node');
    },
    origin: 'served by npm run data',
  };
  const sets = new Map<string, ImageSet>();
  if (!manifest.cifar10) throw new Error(`${manifestPath} lists no CIFAR-10 files.`);
  const id = await loadFiles(
    manifest.cifar10.files.map((f) => fileInput(join(dataDir, f.path), f.path.split('/').pop()!)),
    'id',
    opts,
  );
  for (const s of id.sets) sets.set(s.key, s.set);
  for (const f of (manifest.ood ?? []).filter((o) => /\.bin$|images-idx3-ubyte\.gz$/.test(o.path))) {
    const r = await loadFiles([fileInput(join(dataDir, f.path), f.path.replace(/^ood\//, ''))], 'ood', opts);
    for (const s of r.sets) sets.set(s.key, s.set);
  }
  const rng = new Random(1);
  for (const kind of ['gaussian', 'uniform'] as const)
    sets.set(`ood:${kind}`, noiseSet(kind, rng.fork(), { count: 1000, resize: 'subsample' }));
  const train = sets.get('id:train');
  const test = sets.get('id:test');
  if (!train || !test) throw new Error(`${dataDir} has no CIFAR-10 train and test split.`);
  const oodTests: Record<string, ImageSet> = {};
  for (const [k, s] of sets) if (k.startsWith('ood:')) oodTests[s.name] = s;
  return {
    train,
    test,
    outliers: null,
    oodTests,
    normalization: WRN_NORMALIZATION,
    numClasses: train.classNames?.length ?? 10,
  };
}

export interface NodeRunOptions {
  scale: ScaleName;
  backend: 'wasm' | 'cpu';
  out: string;
  /** Axes to add or replace (e.g. `{ seed: [1, 2, 3] }`). */
  extraGrid?: Record<string, Scalar[]>;
  /** Repository root (public/data, public/models). */
  root?: string;
  signal?: AbortSignal;
  onProgress?: (p: ExperimentProgress) => void;
}

/** Start the backend (and the WASM training kernels). */
export async function useBackend(backend: 'wasm' | 'cpu'): Promise<void> {
  if (tf.getBackend() !== backend) {
    if (!(await tf.setBackend(backend))) throw new Error(`The tfjs ${backend} backend did not start.`);
  }
  await tf.ready();
  if (backend === 'wasm') registerWasmTrainingKernels();
}

/** The executor for a spec in Node (lazy data/model loading: a toy spec reads no files). */
export function nodeExecutor(spec: ExperimentSpec, root: string): CellExecutor {
  let data: Promise<TrainingData> | null = null;
  let template: Promise<WideResNet> | null = null;
  const environment = () =>
    createWrnEnvironment({
      data: () => (data ??= loadServedData(join(root, 'public/data'))),
      template: () =>
        (template ??= (async () => {
          const zip = join(root, 'public/models/wrn-16-2-cifar10/model.zip');
          if (!existsSync(zip)) throw new Error(`${zip} is missing: the pretrained start model.`);
          return modelFromZip(new Uint8Array(readFileSync(zip))).model;
        })()),
    });
  return executorFor(spec, {
    toy: () => toyExecutor,
    wrn: () => createWrnExecutor(environment()),
    'wrn-openset': () => createWrnOpenSetExecutor(environment()),
  });
}

/** Run (or resume) a spec in Node; returns the store (all rows of `<out>/<id>.json`) and this run's rows. */
export async function runInNode(
  spec: ExperimentSpec,
  o: NodeRunOptions,
): Promise<{ store: FileResultsStore; rows: ResultRow[] }> {
  await useBackend(o.backend);
  const store = new FileResultsStore(o.out, spec.id);
  const rows = await runExperiment(spec, {
    scale: o.scale,
    execute: nodeExecutor(spec, o.root ?? process.cwd()),
    store,
    provenance: {
      origin: 'node',
      backend: tf.getBackend(),
      device: `${cpus()[0]?.model.trim() ?? 'CPU'} ×${cpus().length} (Node ${process.version})`,
      appVersion: APP_VERSION,
    },
    signal: o.signal,
    extraGrid: o.extraGrid,
    onProgress: o.onProgress,
  });
  store.write();
  return { store, rows };
}

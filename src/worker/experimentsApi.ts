import * as tf from '@tensorflow/tfjs-core';
import { createWrnExecutor } from '../experiments/executors/wrnCell';
import { createWrnOpenSetExecutor } from '../experiments/executors/wrnOpenSetCell';
import { executorFor, type ExecutorFactories } from '../experiments/executors/table';
import { toyExecutor } from '../experiments/executors/toyCell';
import { experimentById } from '../experiments/registry';
import {
  runExperiment,
  type RunControl,
  type ExperimentProgress,
  type ResultsStore,
} from '../experiments/run';
import type { ExperimentSpec, ResultRow, Scalar, ScaleName } from '../experiments/types';
import { APP_VERSION } from '../experiments/version';
import { ActiveRun } from '../experiments/activeRun';
import { createWrnEnvironment } from '../experiments/wrnEnvironment';
import { registerWasmTrainingKernels } from '../models/wasmKernels';
import { throttle } from '../train/throttle';
import { toyCellPool, toyGridWorkerCount } from './toyCellPool';
import { beginExperimentJob } from './trainApi';
import { currentTrainingData } from './trainData';
import { fetchPretrained, type LoadedWeights } from './trainSession';

export interface ExperimentRunRequest {
  specId: string;
  scale: ScaleName;
  /** Axes to add or replace, e.g. `{ seed: [1, 2, 3] }`. */
  extraGrid: Record<string, Scalar[]>;
  /** Where this runs, for the rows' provenance (the main thread knows the browser). */
  device: string;
}

export interface ExperimentRunResult {
  status: 'completed' | 'cancelled' | 'error';
  error?: string;
  /** Rows of the whole grid (reused and new) when completed. */
  rowCount: number;
}

/**
 * `remote.experiments.*`: the experiment runner in the worker. The results store lives on the main thread
 * (IndexedDB) and is passed as a comlink proxy, so finished cells survive reloads and a rerun skips them.
 */
export interface ExperimentsWorkerApi {
  run(
    req: ExperimentRunRequest,
    store: ResultsStore,
    onProgress: (p: ExperimentProgress) => void,
    onRows: (rows: ResultRow[]) => void,
  ): Promise<ExperimentRunResult>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Cancel: the current training step or evaluation batch finishes, then the run rejects (within a second). */
  cancel(): Promise<void>;
}

const BASE = `${self.location.origin}${import.meta.env.BASE_URL}`;
let template: Promise<LoadedWeights> | null = null;
/** The grid this worker runs (one at a time), reached by pause/resume/cancel. */
const activeGrid = new ActiveRun();

/** The bundled pretrained WRN-16-2 with its manifest's normalisation, fetched once. */
function pretrained(): Promise<LoadedWeights> {
  template ??= fetchPretrained(BASE, 0.3).then((w) => {
    if (w) return w;
    template = null;
    throw new Error(
      'The pretrained WRN-16-2 (public/models/wrn-16-2-cifar10/) is missing: cells start from it.',
    );
  });
  return template;
}

/**
 * The environment of WRN cells in the worker: the Data panel's sets, normalised as the start model's manifest
 * says, and the bundled pretrained WRN-16-2.
 */
const environment = createWrnEnvironment({
  async data() {
    const d = currentTrainingData();
    if (!d) throw new Error('No CIFAR-10 train and test split is loaded: load them in the Data panel first.');
    const norm = (await pretrained()).normalization;
    return norm ? { ...d, normalization: norm } : d;
  },
  template: async () => (await pretrained()).model,
});

/** The worker's executor of every kind (executors/table.ts). */
const executors: ExecutorFactories = {
  toy: () => toyExecutor,
  wrn: () => createWrnExecutor(environment),
  'wrn-openset': () => createWrnOpenSetExecutor(environment),
};

/** At most one message per 200 ms, but every cell boundary (current = null) at once. */
function throttled(send: (p: ExperimentProgress) => void): (p: ExperimentProgress) => void {
  const limited = throttle(send, 200);
  return (p) => limited(p, p.current === null);
}

/** Run a grid through the one runner with the worker's executors (toy cells also on helper workers). */
async function runGrid(
  spec: ExperimentSpec,
  req: ExperimentRunRequest,
  store: ResultsStore,
  control: RunControl,
  onProgress: (p: ExperimentProgress) => void,
  onRows: (rows: ResultRow[]) => void,
): Promise<ResultRow[]> {
  // Toy cells need no tfjs backend: extra workers train them on the other cores (this worker runs one too).
  const pool = spec.model === 'toy' ? toyCellPool(toyGridWorkerCount() - 1, spec.id) : null;
  try {
    if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();
    return await runExperiment(spec, {
      scale: req.scale,
      execute: executorFor(spec, executors),
      parallel: pool?.executors,
      store,
      provenance: {
        origin: 'browser',
        backend: tf.getBackend(),
        device: req.device,
        appVersion: APP_VERSION,
      },
      control,
      signal: control.signal,
      extraGrid: req.extraGrid,
      onRows,
      onProgress: throttled(onProgress),
    });
  } finally {
    pool?.close();
  }
}

export const experimentsApi: ExperimentsWorkerApi = {
  async run(req, store, onProgress, onRows) {
    const spec = experimentById(req.specId);
    const release = beginExperimentJob(spec.id);
    try {
      return await activeGrid.run(async (control) => {
        try {
          const rows = await runGrid(spec, req, store, control, onProgress, onRows);
          return { status: 'completed', rowCount: rows.length };
        } catch (err) {
          if (control.signal.aborted) return { status: 'cancelled', rowCount: 0 };
          throw err;
        }
      });
    } catch (err) {
      return { status: 'error', error: err instanceof Error ? err.message : String(err), rowCount: 0 };
    } finally {
      release();
    }
  },
  async pause() {
    activeGrid.setPaused(true);
  },
  async resume() {
    activeGrid.setPaused(false);
  },
  async cancel() {
    activeGrid.cancel();
  },
};

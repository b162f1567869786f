import * as tf from '@tensorflow/tfjs-core';
import * as Comlink from 'comlink';
import type { WideResNet } from '../models/wrn';
import { registerWasmTrainingKernels } from '../models/wasmKernels';
import { assertClassesAgree, classNamesFor, headClassesOfState } from '../train/agreement';
import type { CheckpointMeta, CurvePoint } from '../train/checkpoint';
import type { CheckpointCadence } from '../train/checkpointCadence';
import { ModelSession } from '../train/modelSession';
import type { CurrentModel } from '../train/analyses/session';
import { resumeProblems } from '../train/resumeCheck';
import type { StorageEstimate } from '../train/storageErrors';
import type { ExperimentConfig } from '../train/config';
import { evaluate, type EvaluationResult } from '../train/evaluate';
import { benchmarkSteps, type StepTiming } from '../train/benchmark';
import { gatherImages, normalizer, toImageTensor } from '../train/batches';
import { Trainer, describeError, type TrainProgress } from '../train/loop';
import type { TrainingData } from '../train/types';
import type { Sgd } from '../train/optim/sgd';
import { IdbCheckpointStore, storageEstimate } from './idbCheckpoints';
import { currentTrainingData, describeData, CLASS_NAMES, type DataStatus } from './trainData';
import {
  fetchPretrained,
  makeOptimizer,
  weightsFromFile,
  newWrn,
  presetOf,
  type ModelInfo,
} from './trainSession';
import { throttled } from './progressThrottle';
import { exportSafetensors, exportTfjsZip, type WeightsManifest } from './weightsIo';

/** A progress message: the latest state plus the curve points since the previous message. */
export interface TrainUpdate {
  progress: TrainProgress;
  points: CurvePoint[];
}

export interface TrainStatus {
  data: DataStatus | null;
  model: ModelInfo | null;
  /** Bumped whenever the model or its weights change (load, import, a training run): analyses refresh on it. */
  modelVersion: number;
  /** The newest unfinished checkpoint (what "Resume training" continues), if any. */
  checkpoint: CheckpointMeta | null;
  /** All stored checkpoints (one per run), newest first, metadata only. */
  checkpoints: CheckpointMeta[];
  /** Storage used / available to this site, when the browser says. */
  storage: StorageEstimate | null;
  running: boolean;
  /** Id of the run in progress (its checkpoint cannot be deleted), if any. */
  runningId: string | null;
}

/** The training area of the worker API (`remote.train.*`). Long calls report through a comlink-proxied callback. */
export interface TrainWorkerApi {
  status(): Promise<TrainStatus>;
  /** Load the bundled pretrained WRN-16-2; model stays null (with a reason) when it is not in public/. */
  loadPretrained(): Promise<{ status: TrainStatus; message: string }>;
  /** A freshly initialised model for CE pre-training. */
  newModel(preset: string, seed: number, dropRate: number): Promise<TrainStatus>;
  /** Train; resolves with the final progress. Refused while another job runs. `cadence`: extra checkpoints. */
  start(
    config: ExperimentConfig,
    onUpdate: (u: TrainUpdate) => void,
    cadence?: CheckpointCadence,
  ): Promise<TrainProgress>;
  /** Continue a checkpoint (default: newest unfinished); checks data and outliers before changing anything. */
  resumeCheckpoint(
    onUpdate: (u: TrainUpdate) => void,
    cadence?: CheckpointCadence,
    runId?: string,
  ): Promise<TrainProgress>;
  /** Whether a checkpoint can be resumed on the loaded data now (metadata only; changes nothing). */
  checkResume(runId: string): Promise<{ blocking: string[]; warnings: string[] }>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  /** Delete a run's checkpoint (the newest unfinished one when `runId` is omitted); not the running one's. */
  discardCheckpoint(runId?: string): Promise<TrainStatus>;
  /** ID accuracy + Energy/MSP OOD metrics on (at most `limit` images per set; 0 = all). */
  evaluate(limit: number): Promise<EvaluationResult>;
  exportWeights(format: 'tfjs-zip' | 'safetensors'): Promise<{ fileName: string; bytes: Uint8Array }>;
  importWeights(fileName: string, bytes: Uint8Array): Promise<TrainStatus>;
  /** Time CE/OE/AOE steps and inference of a fresh model on random inputs (for `npm run bench:train`). */
  bench(o: {
    model: string;
    idBatch: number;
    outlierBatch: number;
    repeats: number;
    warmup: number;
  }): Promise<(StepTiming & { peakBytes: number })[]>;
  /** tfjs memory counters of the worker (tensors, bytes; WebGPU adds its buffer-pool sizes). */
  memory(): Promise<Record<string, unknown>>;
  /** Eval-mode logits of the first `n` ID test images, [n·C] (to check weights round trips). */
  testLogits(n: number): Promise<Float32Array>;
}

const BASE = `${self.location.origin}${import.meta.env.BASE_URL}`;
const store = new IdbCheckpointStore();
/** The worker's model, run and job state (src/train/modelSession.ts; Node tests reach the same object). */
const session = new ModelSession();
const guard = session.guard;
const runDetail = () => session.runDetail();

/**
 * The loaded model for other worker areas (analyses), with its version, the method that trained it and the
 * data it reads, normalised as its manifest says.
 */
export function currentModel(): CurrentModel | null {
  const { model, info } = session;
  if (!model || !info) return null;
  const method = info.source === 'trained' ? (session.lastConfig?.method ?? null) : null;
  return { model, info, version: session.version, method };
}

/** The Data panel's sets with the loaded model's input normalisation (null while no ID split is loaded). */
export function dataForCurrentModel(): TrainingData | null {
  const d = currentTrainingData();
  return d ? session.dataForModel(d) : null;
}

/**
 * Claim the worker for an experiment grid (one job at a time with training, evaluation and restores: they share
 * the backend's memory and the CPU). Throws the refusal naming the running job. @returns the release function.
 */
export function beginExperimentJob(specId: string): () => void {
  return guard.begin('experiment', 'start an experiment grid', () => specId);
}

/** True while a training run holds the model. */
export function trainingRunning(): boolean {
  return session.trainer !== null;
}

function watchDevice(): void {
  if (tf.getBackend() !== 'webgpu') return;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  device?.lost.then((info) =>
    session.loseDevice(`The GPU device was lost (${info.reason}: ${info.message}).`),
  );
}

async function status(): Promise<TrainStatus> {
  const checkpoints = await store.list().catch(() => []);
  const d = currentTrainingData();
  return {
    data: d ? describeData(d) : null,
    model: session.info,
    modelVersion: session.version,
    checkpoint: checkpoints.find((c) => c.step < c.totalSteps && c.id !== session.runningId) ?? null,
    checkpoints,
    storage: await storageEstimate(),
    running: session.trainer !== null,
    runningId: session.runningId,
  };
}

async function runTrainer(
  t: Trainer,
  optimizer: Sgd,
  onUpdate: (u: TrainUpdate) => void,
): Promise<TrainProgress> {
  // Stock tfjs-wasm has no Conv2DBackpropFilter; the WRN engineer's forward-conv version fills it (idempotent).
  if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();
  watchDevice();
  const tick = throttled(onUpdate);
  const final = await session.run(t, optimizer, (p, point) => tick.push(p, point));
  tick.push(final, null);
  tick.stop();
  return final;
}

function requireData(): TrainingData {
  const d = dataForCurrentModel();
  if (!d) throw new Error('No CIFAR-10 train and test split is loaded yet: load them in the Data panel.');
  return d;
}

function manifest(m: WideResNet): WeightsManifest {
  const last = session.lastConfig;
  return {
    format: 'aoe-playground-model',
    version: 1,
    architecture: m.config,
    normalization: session.normalization,
    classes: classNamesFor(m.config.numClasses, currentTrainingData()?.train.classNames ?? CLASS_NAMES),
    training: last ? { ...last } : null,
    seed: last?.seed ?? null,
    metrics: session.manifestMetrics(),
    createdAt: new Date().toISOString(),
  };
}

export const trainApi: TrainWorkerApi = {
  status,
  async loadPretrained() {
    guard.refuse('load the pretrained model');
    const w = await fetchPretrained(BASE, 0.3);
    guard.refuse('load the pretrained model'); // a run may have started while it downloaded
    if (!w)
      return {
        status: await status(),
        message: `No pretrained model found in public/${'models/wrn-16-2-cifar10/'} yet: import weights or pre-train with CE.`,
      };
    session.setModel(w.model, 'pretrained', 'CIFAR-10 WRN-16-2 from public/', w.normalization);
    return { status: await status(), message: 'Pretrained WRN-16-2 loaded.' };
  },
  async newModel(preset, seed, dropRate) {
    guard.refuse('create a new model');
    const classes = currentTrainingData()?.numClasses ?? 10; // the head fits the loaded ID data
    session.setModel(
      newWrn(preset, seed, dropRate, classes),
      'scratch',
      `random init, seed ${seed}, ${classes} classes`,
    );
    return status();
  },
  async start(config, onUpdate, cadence) {
    const release = guard.begin('training', 'start training', runDetail);
    try {
      const d = requireData();
      const current = session.requireModel();
      assertClassesAgree(current.config.numClasses, [d.train, d.test], 'train');
      const preset = presetOf(current.config.depth, current.config.widenFactor);
      const m = session.withDropRate(config.dropRate, (classes) =>
        newWrn(preset, 0, config.dropRate, classes),
      );
      const runId = `run-${Date.now()}`;
      const optimizer = makeOptimizer(m, config);
      let t: Trainer;
      try {
        t = new Trainer(m, d, config, { runId, store, optimizer, cadence });
      } catch (err) {
        optimizer.dispose();
        throw err;
      }
      session.lastConfig = { ...config };
      session.lastProgress = null;
      return await runTrainer(t, optimizer, onUpdate);
    } finally {
      release();
    }
  },
  async resumeCheckpoint(onUpdate, cadence, runId) {
    const release = guard.begin('checkpoint-restore', 'resume a checkpoint', runDetail);
    try {
      const id = runId ?? (await status()).checkpoint?.id;
      const cp = id ? await store.load(id) : null;
      if (!cp) throw new Error('There is no checkpoint to resume.');
      const d = dataForCurrentModel();
      const { blocking } = resumeProblems(cp, d);
      if (blocking.length) throw new Error(`Cannot resume ${cp.id} yet: ${blocking.join(' ')}`);
      const classes = headClassesOfState(cp.modelState.tensors) ?? 10;
      assertClassesAgree(classes, [d!.train, d!.test], 'resume training');
      // Build everything in the side before touching the loaded model: any failure leaves it as it was.
      const m = newWrn(cp.config.model, 0, cp.config.dropRate, classes);
      const optimizer = makeOptimizer(m, cp.config);
      let t: Trainer;
      try {
        t = new Trainer(m, d!, cp.config, { runId: cp.id, store, optimizer, cadence });
        await t.restore(cp);
      } catch (err) {
        optimizer.dispose();
        m.dispose();
        throw err;
      }
      session.setModel(m, 'checkpoint', `checkpoint of ${cp.id} at step ${cp.step}`, session.normalization);
      session.lastConfig = { ...cp.config };
      session.lastProgress = null;
      guard.update('training', runDetail);
      return await runTrainer(t, optimizer, onUpdate);
    } finally {
      release();
    }
  },
  async checkResume(runId) {
    const meta = (await store.list()).find((c) => c.id === runId);
    if (!meta) return { blocking: [`The checkpoint of ${runId} is gone (deleted?).`], warnings: [] };
    return resumeProblems(meta, currentTrainingData());
  },
  async pause() {
    session.trainer?.pause();
  },
  async resume() {
    session.trainer?.resume();
  },
  async cancel() {
    session.trainer?.cancel();
  },
  async discardCheckpoint(runId) {
    const id = runId ?? (await status()).checkpoint?.id;
    if (id && id === session.runningId)
      throw new Error(`Cannot delete the checkpoint of ${id}: that run is in progress. Cancel it first.`);
    if (id) await store.remove(id);
    return status();
  },
  async evaluate(limit) {
    const release = guard.begin('evaluation', 'evaluate', runDetail);
    try {
      session.lastMetrics = await evaluate(session.requireModel(), requireData(), limit);
      return session.lastMetrics;
    } catch (err) {
      throw new Error(describeError(err));
    } finally {
      release();
    }
  },
  async exportWeights(format) {
    if (guard.running !== 'training' || session.lastProgress?.status !== 'paused')
      guard.refuse('export weights');
    const m = session.requireModel();
    const state = m.getState();
    try {
      const base =
        `${presetOf(m.config.depth, m.config.widenFactor).toLowerCase()}-${session.lastConfig?.method ?? 'model'}`.replace(
          /[^a-z0-9-]+/gi,
          '-',
        );
      const man = { ...manifest(m), numBatchesTracked: state.numBatchesTracked };
      const bytes =
        format === 'safetensors' ? await exportSafetensors(state, man) : await exportTfjsZip(state, man);
      const fileName = `${base}.${format === 'safetensors' ? 'safetensors' : 'tfjs.zip'}`;
      return Comlink.transfer({ fileName, bytes }, [bytes.buffer]);
    } finally {
      tf.dispose([...state.tensors.values()]);
    }
  },
  async importWeights(fileName, bytes) {
    guard.refuse('import weights');
    const w = weightsFromFile(fileName, bytes, session.model?.config.dropRate ?? 0.3);
    session.setModel(w.model, 'imported', fileName, w.normalization);
    return status();
  },
  async bench(o) {
    guard.refuse('run the benchmark');
    if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();
    const m = newWrn(o.model, 1, 0.3);
    let peak = 0;
    try {
      const rows = await benchmarkSteps(m, {
        ...o,
        methods: ['CE', 'OE', 'AOE'],
        now: () => performance.now(),
        onStep: () => (peak = Math.max(peak, tf.memory().numBytes)),
      });
      return rows.map((r) => ({ ...r, peakBytes: peak }));
    } finally {
      m.dispose();
    }
  },
  async memory() {
    return { ...tf.memory(), backend: tf.getBackend() } as unknown as Record<string, unknown>;
  },
  async testLogits(n) {
    const m = session.requireModel();
    const d = requireData();
    const idx = Array.from({ length: Math.min(n, d.test.n) }, (_, i) => i);
    const pre = normalizer(d.normalization.mean, d.normalization.std);
    const logits = tf.tidy(
      () =>
        m.forward(pre(toImageTensor(gatherImages(d.test, idx, null), d.test)) as tf.Tensor4D, {
          training: false,
        }).logits,
    );
    const out = (await logits.data()) as Float32Array;
    logits.dispose();
    return Comlink.transfer(out, [out.buffer]);
  },
};

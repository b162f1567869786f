import * as tf from '@tensorflow/tfjs-core';
import * as Comlink from 'comlink';
import type { WideResNet } from '../models/wrn';
import { countTrainableParameters } from '../models/wrn';
import { registerWasmTrainingKernels } from '../models/wasmKernels';
import { assertClassesAgree, classNamesFor, headClassesOfState } from '../train/agreement';
import type { CheckpointMeta, CurvePoint } from '../train/checkpoint';
import type { CheckpointCadence } from '../train/checkpointCadence';
import { JobGuard } from '../train/jobGuard';
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
import { activeJob } from './jobs';
import {
  currentTrainingData,
  describeData,
  CLASS_NAMES,
  WRN_NORMALIZATION,
  type DataStatus,
} from './trainData';
import {
  fetchPretrained,
  makeOptimizer,
  modelFromFile,
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
let model: WideResNet | null = null;
let modelInfo: ModelInfo | null = null;
let trainer: Trainer | null = null;
let lastConfig: ExperimentConfig | null = null;
let lastMetrics: EvaluationResult | null = null;
let deviceLost: string | null = null;
let modelVersion = 0;

/** The loaded model for other worker areas (analyses), with its version and the method that trained it. */
export function currentModel(): {
  model: WideResNet;
  info: ModelInfo;
  version: number;
  method: string | null;
} | null {
  if (!model || !modelInfo) return null;
  const method = modelInfo.source === 'trained' ? (lastConfig?.method ?? null) : null;
  return { model, info: modelInfo, version: modelVersion, method };
}

/** True while a training run holds the model. */
export function trainingRunning(): boolean {
  return trainer !== null;
}
/** One job at a time: state-changing calls are refused with a clear message while a run or evaluation goes. */
const guard = new JobGuard();
let lastProgress: TrainProgress | null = null;
/** Id of the run being trained (set before its first step, cleared when it ends). */
let runningId: string | null = null;
const runDetail = () =>
  lastProgress ? `${lastProgress.runId}, step ${lastProgress.step} of ${lastProgress.totalSteps}` : '';

function setModel(m: WideResNet, source: ModelInfo['source'], detail: string): void {
  if (model && model !== m) model.dispose();
  modelVersion++;
  model = m;
  modelInfo = {
    preset: presetOf(m.config.depth, m.config.widenFactor),
    source,
    detail,
    parameters: countTrainableParameters(m),
    classes: m.config.numClasses,
  };
}

function watchDevice(): void {
  if (tf.getBackend() !== 'webgpu') return;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  device?.lost.then((info) => {
    deviceLost = `The GPU device was lost (${info.reason}: ${info.message}).`;
    trainer?.cancel();
  });
}

async function status(): Promise<TrainStatus> {
  const checkpoints = await store.list().catch(() => []);
  return {
    data: (() => {
      const d = currentTrainingData();
      return d ? describeData(d) : null;
    })(),
    model: modelInfo,
    modelVersion,
    checkpoint: checkpoints.find((c) => c.step < c.totalSteps && c.id !== runningId) ?? null,
    checkpoints,
    storage: await storageEstimate(),
    running: trainer !== null,
    runningId,
  };
}

async function runTrainer(
  t: Trainer,
  optimizer: Sgd,
  onUpdate: (u: TrainUpdate) => void,
): Promise<TrainProgress> {
  // Stock tfjs-wasm has no Conv2DBackpropFilter; the WRN engineer's forward-conv version fills it (idempotent).
  if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();
  trainer = t;
  runningId = t.runId;
  deviceLost = null;
  watchDevice();
  const tick = throttled(onUpdate);
  t.setProgressListener((p, point) => {
    lastProgress = p;
    tick.push(p, point);
  });
  let final: TrainProgress;
  try {
    final = await t.run();
  } finally {
    trainer = null;
    runningId = null;
    optimizer.dispose(); // momentum buffers live in the checkpoint; a resume builds a new optimizer
  }
  if (deviceLost)
    final = {
      ...final,
      status: 'error',
      error: `${deviceLost} Reload the page to resume from the checkpoint of step ${final.checkpointStep}.`,
    };
  if (final.step > 0) modelVersion++;
  if (final.step > 0 && modelInfo) {
    const how = final.status === 'completed' ? '' : `, ${final.status}`;
    const detail = `${t.config.method}, ${final.step} of ${final.totalSteps} steps${how}`;
    modelInfo = { ...modelInfo, source: 'trained', detail };
  }
  tick.push(final, null);
  tick.stop();
  return final;
}

function requireData(): TrainingData {
  const d = currentTrainingData();
  if (!d) throw new Error('No CIFAR-10 train and test split is loaded yet: load them in the Data panel.');
  return d;
}
function requireModel(): WideResNet {
  if (!model)
    throw new Error(
      'No model is loaded: load the pretrained model, import weights or start CE pre-training.',
    );
  return model;
}

function manifest(m: WideResNet): WeightsManifest {
  const metrics: Record<string, number> = {};
  if (lastMetrics) {
    metrics.testAccuracy = lastMetrics.accuracy;
    for (const [set, byDet] of Object.entries(lastMetrics.metrics))
      for (const [det, v] of Object.entries(byDet)) metrics[`AUROC ${det} ${set}`] = v.AUROC;
  }
  return {
    format: 'aoe-playground-model',
    version: 1,
    architecture: m.config,
    normalization: WRN_NORMALIZATION,
    classes: classNamesFor(m.config.numClasses, currentTrainingData()?.train.classNames ?? CLASS_NAMES),
    training: lastConfig ? { ...lastConfig } : null,
    seed: lastConfig?.seed ?? null,
    metrics,
    createdAt: new Date().toISOString(),
  };
}

export const trainApi: TrainWorkerApi = {
  status,
  async loadPretrained() {
    guard.refuse('load the pretrained model');
    const m = await fetchPretrained(BASE, 0.3);
    guard.refuse('load the pretrained model'); // a run may have started while it downloaded
    if (!m)
      return {
        status: await status(),
        message: `No pretrained model found in public/${'models/wrn-16-2-cifar10/'} yet: import weights or pre-train with CE.`,
      };
    setModel(m, 'pretrained', 'CIFAR-10 WRN-16-2 from public/');
    return { status: await status(), message: 'Pretrained WRN-16-2 loaded.' };
  },
  async newModel(preset, seed, dropRate) {
    guard.refuse('create a new model');
    const classes = currentTrainingData()?.numClasses ?? 10; // the head fits the loaded ID data
    setModel(
      newWrn(preset, seed, dropRate, classes),
      'scratch',
      `random init, seed ${seed}, ${classes} classes`,
    );
    return status();
  },
  async start(config, onUpdate, cadence) {
    if (activeJob()) throw new Error(`${activeJob()} is running: cancel it before training.`);
    const release = guard.begin('training', 'start a second run', runDetail);
    try {
      const d = requireData();
      let m = requireModel();
      assertClassesAgree(m.config.numClasses, [d.train, d.test], 'train');
      if (m.config.dropRate !== config.dropRate) {
        const state = m.getState();
        const preset = presetOf(m.config.depth, m.config.widenFactor);
        const fresh = newWrn(preset, 0, config.dropRate, m.config.numClasses);
        fresh.setState(state);
        tf.dispose([...state.tensors.values()]);
        setModel(fresh, modelInfo!.source, modelInfo!.detail);
        m = fresh;
      }
      const runId = `run-${Date.now()}`;
      const optimizer = makeOptimizer(m, config);
      let t: Trainer;
      try {
        t = new Trainer(m, d, config, { runId, store, optimizer, cadence });
      } catch (err) {
        optimizer.dispose();
        throw err;
      }
      lastConfig = { ...config };
      lastProgress = null;
      return await runTrainer(t, optimizer, onUpdate);
    } finally {
      release();
    }
  },
  async resumeCheckpoint(onUpdate, cadence, runId) {
    if (activeJob()) throw new Error(`${activeJob()} is running: cancel it before training.`);
    const release = guard.begin('checkpoint-restore', 'resume a checkpoint', runDetail);
    try {
      const id = runId ?? (await status()).checkpoint?.id;
      const cp = id ? await store.load(id) : null;
      if (!cp) throw new Error('There is no checkpoint to resume.');
      const d = currentTrainingData();
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
      setModel(m, 'checkpoint', `checkpoint of ${cp.id} at step ${cp.step}`);
      lastConfig = { ...cp.config };
      lastProgress = null;
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
    trainer?.pause();
  },
  async resume() {
    trainer?.resume();
  },
  async cancel() {
    trainer?.cancel();
  },
  async discardCheckpoint(runId) {
    const id = runId ?? (await status()).checkpoint?.id;
    if (id && id === runningId)
      throw new Error(`Cannot delete the checkpoint of ${id}: that run is in progress. Cancel it first.`);
    if (id) await store.remove(id);
    return status();
  },
  async evaluate(limit) {
    const release = guard.begin('evaluation', 'evaluate', runDetail);
    try {
      lastMetrics = await evaluate(requireModel(), requireData(), limit);
      return lastMetrics;
    } catch (err) {
      throw new Error(describeError(err));
    } finally {
      release();
    }
  },
  async exportWeights(format) {
    if (guard.running !== 'training' || lastProgress?.status !== 'paused') guard.refuse('export weights');
    const m = requireModel();
    const state = m.getState();
    try {
      const base =
        `${presetOf(m.config.depth, m.config.widenFactor).toLowerCase()}-${lastConfig?.method ?? 'model'}`.replace(
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
    const m = modelFromFile(fileName, bytes, model?.config.dropRate ?? 0.3);
    setModel(m, 'imported', fileName);
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
    const m = requireModel();
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

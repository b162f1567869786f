import * as tf from '@tensorflow/tfjs-core';
import * as Comlink from 'comlink';
import type { WideResNet } from '../models/wrn';
import { countTrainableParameters } from '../models/wrn';
import { registerWasmTrainingKernels } from '../models/wasmKernels';
import { restoreModelState, type CurvePoint } from '../train/checkpoint';
import type { ExperimentConfig } from '../train/config';
import { evaluate, type EvaluationResult } from '../train/evaluate';
import { benchmarkSteps, type StepTiming } from '../train/benchmark';
import { gatherImages, normalizer, toImageTensor } from '../train/batches';
import { Trainer, describeError, type TrainProgress } from '../train/loop';
import type { TrainingData } from '../train/types';
import type { Sgd } from '../train/optim/sgd';
import { IdbCheckpointStore } from './idbCheckpoints';
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
import { exportSafetensors, exportTfjsZip, type WeightsManifest } from './weightsIo';

/** A progress message: the latest state plus the curve points since the previous message. */
export interface TrainUpdate {
  progress: TrainProgress;
  points: CurvePoint[];
}

export interface CheckpointSummary {
  runId: string;
  step: number;
  totalSteps: number;
  epoch: number;
  savedAt: number;
  config: ExperimentConfig;
  curve: CurvePoint[];
}

export interface TrainStatus {
  data: DataStatus | null;
  model: ModelInfo | null;
  checkpoint: CheckpointSummary | null;
  running: boolean;
}

/** The training area of the worker API (`remote.train.*`). Long calls report through a comlink-proxied callback. */
export interface TrainWorkerApi {
  status(): Promise<TrainStatus>;
  /** Load the bundled pretrained WRN-16-2; model stays null (with a reason) when it is not in public/. */
  loadPretrained(): Promise<{ status: TrainStatus; message: string }>;
  /** A freshly initialised model for CE pre-training. */
  newModel(preset: string, seed: number, dropRate: number): Promise<TrainStatus>;
  /** Train; resolves with the final progress (completed, cancelled or error). */
  start(config: ExperimentConfig, onUpdate: (u: TrainUpdate) => void): Promise<TrainProgress>;
  /** Continue the latest checkpoint (after a reload or a cancel). */
  resumeCheckpoint(onUpdate: (u: TrainUpdate) => void): Promise<TrainProgress>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  discardCheckpoint(): Promise<TrainStatus>;
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

function setModel(m: WideResNet, source: ModelInfo['source'], detail: string): void {
  if (model && model !== m) model.dispose();
  model = m;
  modelInfo = {
    preset: presetOf(m.config.depth, m.config.widenFactor),
    source,
    detail,
    parameters: countTrainableParameters(m),
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

async function summary(): Promise<CheckpointSummary | null> {
  const cp = await store.latest().catch(() => null);
  if (!cp) return null;
  const { id, step, totalSteps, epoch, savedAt, config, curve } = cp;
  return { runId: id, step, totalSteps, epoch, savedAt, config, curve };
}

async function status(): Promise<TrainStatus> {
  return {
    data: (() => {
      const d = currentTrainingData();
      return d ? describeData(d) : null;
    })(),
    model: modelInfo,
    checkpoint: await summary(),
    running: trainer !== null,
  };
}

function throttled(onUpdate: (u: TrainUpdate) => void) {
  let latest: TrainProgress | null = null;
  let at = 0;
  let points: CurvePoint[] = [];
  let sent = 0;
  const flush = () => {
    if (!latest) return;
    const extra = latest.status === 'running' ? (performance.now() - at) / 1000 : 0;
    const eta = Math.max(0, latest.etaSeconds - extra);
    onUpdate({
      progress: { ...latest, elapsedSeconds: latest.elapsedSeconds + extra, etaSeconds: eta },
      points,
    });
    points = [];
    sent = performance.now();
  };
  const timer = setInterval(() => {
    if (performance.now() - sent >= 240) flush();
  }, 250);
  return {
    push(p: TrainProgress, point: CurvePoint | null) {
      latest = p;
      at = performance.now();
      if (point) points.push(point);
      if (p.status !== 'running' || performance.now() - sent >= 240) flush();
    },
    stop() {
      clearInterval(timer);
      flush();
    },
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
  deviceLost = null;
  watchDevice();
  const tick = throttled(onUpdate);
  t.setProgressListener((p, point) => tick.push(p, point));
  let final: TrainProgress;
  try {
    final = await t.run();
  } finally {
    trainer = null;
    optimizer.dispose(); // momentum buffers live in the checkpoint; a resume builds a new optimizer
  }
  if (deviceLost)
    final = {
      ...final,
      status: 'error',
      error: `${deviceLost} Reload the page to resume from the checkpoint of step ${final.checkpointStep}.`,
    };
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
    classes: CLASS_NAMES,
    training: lastConfig ? { ...lastConfig } : null,
    seed: lastConfig?.seed ?? null,
    metrics,
    createdAt: new Date().toISOString(),
  };
}

export const trainApi: TrainWorkerApi = {
  status,
  async loadPretrained() {
    const m = await fetchPretrained(BASE, 0.3);
    if (!m)
      return {
        status: await status(),
        message: `No pretrained model found in public/${'models/wrn-16-2-cifar10/'} yet: import weights or pre-train with CE.`,
      };
    setModel(m, 'pretrained', 'CIFAR-10 WRN-16-2 from public/');
    return { status: await status(), message: 'Pretrained WRN-16-2 loaded.' };
  },
  async newModel(preset, seed, dropRate) {
    setModel(newWrn(preset, seed, dropRate), 'scratch', `random init, seed ${seed}`);
    return status();
  },
  async start(config, onUpdate) {
    if (trainer) throw new Error('A run is already in progress.');
    if (activeJob()) throw new Error(`${activeJob()} is running: cancel it before training.`);
    const d = requireData();
    let m = requireModel();
    if (m.config.dropRate !== config.dropRate) {
      const state = m.getState();
      const fresh = newWrn(presetOf(m.config.depth, m.config.widenFactor), 0, config.dropRate);
      fresh.setState(state);
      tf.dispose([...state.tensors.values()]);
      setModel(fresh, modelInfo!.source, modelInfo!.detail);
      m = fresh;
    }
    lastConfig = { ...config };
    const runId = `run-${Date.now()}`;
    const optimizer = makeOptimizer(m, config);
    const t = new Trainer(m, d, config, { runId, store, optimizer });
    return runTrainer(t, optimizer, onUpdate);
  },
  async resumeCheckpoint(onUpdate) {
    if (trainer) throw new Error('A run is already in progress.');
    if (activeJob()) throw new Error(`${activeJob()} is running: cancel it before training.`);
    const cp = await store.latest();
    if (!cp) throw new Error('There is no checkpoint to resume.');
    const d = requireData();
    const m = newWrn(cp.config.model, 0, cp.config.dropRate);
    restoreModelState(m, cp.modelState);
    setModel(m, 'checkpoint', `checkpoint of ${cp.id} at step ${cp.step}`);
    lastConfig = { ...cp.config };
    const optimizer = makeOptimizer(m, cp.config);
    const t = new Trainer(m, d, cp.config, { runId: cp.id, store, optimizer });
    await t.restore(cp);
    return runTrainer(t, optimizer, onUpdate);
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
  async discardCheckpoint() {
    const cp = await store.latest();
    if (cp) await store.remove(cp.id);
    return status();
  },
  async evaluate(limit) {
    try {
      lastMetrics = await evaluate(requireModel(), requireData(), limit);
      return lastMetrics;
    } catch (err) {
      throw new Error(describeError(err));
    }
  },
  async exportWeights(format) {
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
    const m = modelFromFile(fileName, bytes, model?.config.dropRate ?? 0.3);
    setModel(m, 'imported', fileName);
    return status();
  },
  async bench(o) {
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

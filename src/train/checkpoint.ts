import * as tf from '@tensorflow/tfjs-core';
import type { ModelState } from '../models/types';
import type { ExperimentConfig } from './config';
import type { DataFingerprint } from './resumeCheck';
import type { NamedArray } from './types';

/** A model state (weights + BN running statistics) as plain arrays by state_dict key. */
export interface SerializedModelState {
  tensors: Record<string, NamedArray>;
  numBatchesTracked: number;
}

/** Read tensors into plain arrays (does not dispose them). */
export async function tensorsToArrays(map: Map<string, tf.Tensor>): Promise<Record<string, NamedArray>> {
  const out: Record<string, NamedArray> = {};
  for (const [k, t] of map) out[k] = { shape: t.shape.slice(), values: (await t.data()) as Float32Array };
  return out;
}

/** Plain arrays back into tensors (the caller owns them). */
export function arraysToTensors(rec: Record<string, NamedArray>): Map<string, tf.Tensor> {
  return new Map(Object.entries(rec).map(([k, a]) => [k, tf.tensor(a.values, a.shape)]));
}

/** Serialise a `ModelState` and dispose its tensors (getState hands out copies). */
export async function serializeModelState(state: ModelState): Promise<SerializedModelState> {
  try {
    return { tensors: await tensorsToArrays(state.tensors), numBatchesTracked: state.numBatchesTracked };
  } finally {
    tf.dispose([...state.tensors.values()]);
  }
}

/** Load a serialised state into a model (temporary tensors are disposed). */
export function restoreModelState(model: { setState(s: ModelState): void }, s: SerializedModelState): void {
  const tensors = arraysToTensors(s.tensors);
  try {
    model.setState({ tensors, numBatchesTracked: s.numBatchesTracked });
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** One point of the training curves. */
export interface CurvePoint {
  step: number;
  epoch: number;
  loss: number;
  /** Running train accuracy over the epoch so far (fraction). */
  accuracy: number;
  lr: number;
}

/**
 * Everything needed to continue a run exactly: weights + BN running statistics (model state), optimizer
 * buffers, the next step to run, the config, and the curves so far. The random "state" is the step
 * counter: all randomness is derived from (seed, step) (see batches.ts `mixSeed`). Plain data only, so it is
 * structured-cloneable into IndexedDB.
 */
export interface Checkpoint {
  id: string;
  /** Wall-clock time it was written (ms since epoch). */
  savedAt: number;
  config: ExperimentConfig;
  /** Global index of the next step to run (= steps completed). */
  step: number;
  /** Epochs completed. */
  epoch: number;
  totalSteps: number;
  modelState: SerializedModelState;
  /** Momentum buffers by position in `trainableVariables()` (as a string key). */
  optimizerState: Record<string, NamedArray>;
  curve: CurvePoint[];
  /** Training seconds so far (excluding pauses). */
  elapsedSeconds: number;
  /** The data it was trained on (absent in checkpoints of older versions). */
  data?: DataFingerprint;
}

/** Where checkpoints go: IndexedDB in the worker, a Map in Node tests. */
export interface CheckpointStore {
  save(cp: Checkpoint): Promise<void>;
  load(id: string): Promise<Checkpoint | null>;
  /** The most recent checkpoint of any run, if any. */
  latest(): Promise<Checkpoint | null>;
  /** Metadata of every stored checkpoint (one per run), newest first, without reading tensors. */
  list(): Promise<CheckpointMeta[]>;
  remove(id: string): Promise<void>;
}

/** Deep copy of a checkpoint (typed arrays copied), so a stored one never aliases live data. */
export function cloneCheckpoint(cp: Checkpoint): Checkpoint {
  const copy = (a: NamedArray): NamedArray => ({ shape: a.shape.slice(), values: a.values.slice() });
  const copyAll = (r: Record<string, NamedArray>) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, copy(v)]));
  return {
    ...cp,
    config: { ...cp.config },
    modelState: {
      tensors: copyAll(cp.modelState.tensors),
      numBatchesTracked: cp.modelState.numBatchesTracked,
    },
    optimizerState: copyAll(cp.optimizerState),
    curve: cp.curve.map((p) => ({ ...p })),
  };
}

/** In-memory store (copies on save so later mutations cannot change a saved checkpoint). */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly items = new Map<string, Checkpoint>();

  async save(cp: Checkpoint): Promise<void> {
    this.items.set(cp.id, cloneCheckpoint(cp));
  }

  async load(id: string): Promise<Checkpoint | null> {
    const cp = this.items.get(id);
    return cp ? cloneCheckpoint(cp) : null;
  }

  async latest(): Promise<Checkpoint | null> {
    let best: Checkpoint | null = null;
    for (const cp of this.items.values()) if (!best || cp.savedAt >= best.savedAt) best = cp;
    return best ? cloneCheckpoint(best) : null;
  }

  async list(): Promise<CheckpointMeta[]> {
    return [...this.items.values()].map(checkpointMeta).sort((a, b) => b.savedAt - a.savedAt);
  }

  async remove(id: string): Promise<void> {
    this.items.delete(id);
  }
}

/**
 * What a checkpoint list shows without reading the tensors (IndexedDB keeps it in a separate record): every field
 * of the checkpoint but its arrays, and their size.
 */
export interface CheckpointMeta extends Omit<Checkpoint, 'modelState' | 'optimizerState'> {
  /** Bytes of the model and optimizer arrays. */
  bytes: number;
}

/** Bytes of the arrays a checkpoint holds (weights, BN statistics, momentum buffers). */
export function checkpointBytes(cp: Pick<Checkpoint, 'modelState' | 'optimizerState'>): number {
  let n = 0;
  for (const a of Object.values(cp.modelState.tensors)) n += a.values.byteLength;
  for (const a of Object.values(cp.optimizerState)) n += a.values.byteLength;
  return n;
}

/** The metadata part of a checkpoint. */
export function checkpointMeta(cp: Checkpoint): CheckpointMeta {
  const { id, savedAt, config, step, epoch, totalSteps, curve, elapsedSeconds, data } = cp;
  const meta = {
    id,
    savedAt,
    config,
    step,
    epoch,
    totalSteps,
    curve,
    elapsedSeconds,
    bytes: checkpointBytes(cp),
  };
  return data ? { ...meta, data } : meta;
}

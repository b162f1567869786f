/**
 * The trainer's checkpointing, out of the loop: what a checkpoint of a run holds (model state, optimizer buffers
 * by variable position, step, curve, data fingerprint), restoring model and optimizer from one, and the warning a
 * failed write leaves (training goes on in memory). DOM-free.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  arraysToTensors,
  restoreModelState,
  serializeModelState,
  tensorsToArrays,
  type Checkpoint,
} from './checkpoint';
import { RETRY_SECONDS, type CheckpointReason } from './checkpointCadence';
import type { ExperimentConfig } from './config';
import type { Sgd } from './optim/sgd';
import type { DataFingerprint } from './resumeCheck';
import { errorReason } from './storageErrors';
import type { TrainableClassifier } from './types';

/** Optimizer buffers keyed by the position of their variable in trainableVariables() (names differ per instance). */
async function optimizerState(model: TrainableClassifier, optimizer: Sgd) {
  const buffers = optimizer.getBuffers();
  const index = new Map(model.trainableVariables().map((v, i) => [v.name, String(i)]));
  try {
    return await tensorsToArrays(new Map([...buffers].map(([name, t]) => [index.get(name)!, t])));
  } finally {
    tf.dispose([...buffers.values()]);
  }
}

/** The run state a checkpoint records. */
export interface RunState {
  runId: string;
  savedAt: number;
  config: ExperimentConfig;
  step: number;
  stepsPerEpoch: number;
  totalSteps: number;
  curve: Checkpoint['curve'];
  elapsedSeconds: number;
  data: DataFingerprint;
}

/** A checkpoint of `model` + `optimizer` at `run` (reads tensors; leaks none). */
export async function makeCheckpoint(
  model: TrainableClassifier,
  optimizer: Sgd,
  run: RunState,
): Promise<Checkpoint> {
  return {
    id: run.runId,
    savedAt: run.savedAt,
    config: { ...run.config },
    step: run.step,
    epoch: Math.floor(run.step / run.stepsPerEpoch),
    totalSteps: run.totalSteps,
    modelState: await serializeModelState(model.getState()),
    optimizerState: await optimizerState(model, optimizer),
    curve: run.curve,
    elapsedSeconds: run.elapsedSeconds,
    data: run.data,
  };
}

/** Put a checkpoint's weights into `model` and its momentum buffers into `optimizer`. */
export function restoreFromCheckpoint(model: TrainableClassifier, optimizer: Sgd, cp: Checkpoint): void {
  restoreModelState(model, cp.modelState);
  const vars = model.trainableVariables();
  const byIndex = arraysToTensors(cp.optimizerState);
  const buffers = new Map([...byIndex].map(([i, t]) => [vars[Number(i)].name, t]));
  try {
    optimizer.setBuffers(buffers);
  } finally {
    tf.dispose([...buffers.values()]);
  }
}

/** What the UI says when the checkpoint of `step` (written for `reason`) could not be saved. */
export function checkpointFailure(reason: CheckpointReason, step: number, err: unknown): string {
  const msg = errorReason(err).replace(/\.?$/, '.');
  const next =
    reason === 'cancel' || reason === 'final'
      ? 'The trained weights are still in memory: export them now, or free space and resume.'
      : `Training continues in memory; the next attempt is in ${RETRY_SECONDS} s or at the next epoch end.`;
  return `Checkpoint at step ${step} not saved: ${msg} ${next}`;
}

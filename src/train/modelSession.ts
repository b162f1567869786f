/**
 * The training worker's session state as one object Node tests reach: the loaded model with where it came from
 * and the input normalisation its manifest declares, a version bumped on every change, the config and metrics of
 * the last run and evaluation, the running trainer and the one-job guard. The worker (`src/worker/trainApi.ts`)
 * is a thin adapter over it. DOM-free.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WRN_PRESETS } from '../models/wrnSpec';
import { countTrainableParameters, type WideResNet } from '../models/wrn';
import type { ExperimentConfig } from './config';
import type { EvaluationResult } from './evaluate';
import { JobGuard } from './jobGuard';
import type { Trainer, TrainProgress } from './loop';
import type { CurvePoint } from './checkpoint';
import { WRN_NORMALIZATION } from './trainingSets';
import type { TrainingData } from './types';

/** Where the current weights came from, for the UI. */
export interface ModelInfo {
  preset: string;
  source: 'pretrained' | 'scratch' | 'imported' | 'checkpoint' | 'trained';
  detail: string;
  parameters: number;
  /** Width of the classification head (logits per image). */
  classes: number;
}

/** Per-channel input normalisation in [0,1] pixel units (a model manifest's `normalization`). */
export type InputNormalization = TrainingData['normalization'];

/** The preset name of a depth × widen factor ("WRN-16-2"), or a descriptive name for other shapes. */
export function presetOf(depth: number, widen: number): string {
  const hit = Object.entries(WRN_PRESETS).find(([, p]) => p.depth === depth && p.widenFactor === widen);
  return hit ? hit[0] : `WRN-${depth}-${widen}`;
}

export class ModelSession {
  model: WideResNet | null = null;
  info: ModelInfo | null = null;
  /** The normalisation the loaded weights expect (from their manifest; the pretrained CIFAR-10 one otherwise). */
  normalization: InputNormalization = WRN_NORMALIZATION;
  /** Bumped whenever the model or its weights change (load, import, a training run). */
  version = 0;
  lastConfig: ExperimentConfig | null = null;
  lastMetrics: EvaluationResult | null = null;
  lastProgress: TrainProgress | null = null;
  trainer: Trainer | null = null;
  /** Id of the run being trained (set before its first step, cleared when it ends). */
  runningId: string | null = null;
  /** One job at a time: state-changing calls are refused with a clear message while a run or evaluation goes. */
  readonly guard = new JobGuard();
  /** Why the accelerator went away during the current run (e.g. a lost WebGPU device), or null. */
  private deviceLost: string | null = null;

  /** Replace the model (the old one is disposed). `normalization` null = the pretrained CIFAR-10 statistics. */
  setModel(
    m: WideResNet,
    source: ModelInfo['source'],
    detail: string,
    normalization: InputNormalization | null = null,
  ): void {
    if (this.model && this.model !== m) this.model.dispose();
    this.version++;
    this.model = m;
    this.normalization = normalization ?? WRN_NORMALIZATION;
    this.info = {
      preset: presetOf(m.config.depth, m.config.widenFactor),
      source,
      detail,
      parameters: countTrainableParameters(m),
      classes: m.config.numClasses,
    };
  }

  /** The model with another dropout rate (same weights), replacing the current one; its info is kept. */
  withDropRate(dropRate: number, build: (numClasses: number) => WideResNet): WideResNet {
    const m = this.requireModel();
    if (m.config.dropRate === dropRate) return m;
    const state = m.getState();
    const fresh = build(m.config.numClasses);
    fresh.setState(state);
    tf.dispose([...state.tensors.values()]);
    this.setModel(fresh, this.info!.source, this.info!.detail, this.normalization);
    return fresh;
  }

  requireModel(): WideResNet {
    if (!this.model)
      throw new Error(
        'No model is loaded: load the pretrained model, import weights or start CE pre-training.',
      );
    return this.model;
  }

  /** `data` with this model's input normalisation (what training and evaluation of this model must use). */
  dataForModel(data: TrainingData): TrainingData {
    return data.normalization === this.normalization ? data : { ...data, normalization: this.normalization };
  }

  /** "run-…, step 3 of 40" for refusals while a run goes. */
  runDetail(): string {
    const p = this.lastProgress;
    return p ? `${p.runId}, step ${p.step} of ${p.totalSteps}` : '';
  }

  /**
   * Train `trainer` to its end as the session's running run: it is `trainer`/`runningId` meanwhile, every
   * progress message updates `lastProgress` before `onProgress` sees it, the optimizer is disposed afterwards
   * (its momentum lives in the checkpoint; a resume builds a new one) and the weights count as trained when a
   * step ran. A device loss reported meanwhile (`loseDevice`) turns the result into an error naming it.
   */
  async run(
    trainer: Trainer,
    optimizer: { dispose(): void },
    onProgress: (p: TrainProgress, point: CurvePoint | null) => void,
  ): Promise<TrainProgress> {
    this.trainer = trainer;
    this.runningId = trainer.runId;
    this.deviceLost = null;
    trainer.setProgressListener((p, point) => {
      this.lastProgress = p;
      onProgress(p, point);
    });
    let final: TrainProgress;
    try {
      final = await trainer.run();
    } finally {
      this.trainer = null;
      this.runningId = null;
      optimizer.dispose();
    }
    if (this.deviceLost)
      final = {
        ...final,
        status: 'error',
        error: `${this.deviceLost} Reload the page to resume from the checkpoint of step ${final.checkpointStep}.`,
      };
    this.finishRun(final, trainer.config.method);
    return final;
  }

  /** The accelerator is gone (`reason` says how): cancel the running run, whose result becomes an error. */
  loseDevice(reason: string): void {
    this.deviceLost = reason;
    this.trainer?.cancel();
  }

  /** After a run: bump the version and mark the weights as trained when any step ran. */
  finishRun(final: TrainProgress, method: string): void {
    if (final.step <= 0) return;
    this.version++;
    if (this.info) {
      const how = final.status === 'completed' ? '' : `, ${final.status}`;
      this.info = {
        ...this.info,
        source: 'trained',
        detail: `${method}, ${final.step} of ${final.totalSteps} steps${how}`,
      };
    }
  }

  /** Metrics for an exported manifest: test accuracy and AUROC per detector and set of the last evaluation. */
  manifestMetrics(): Record<string, number> {
    const metrics: Record<string, number> = {};
    const e = this.lastMetrics;
    if (e) {
      metrics.testAccuracy = e.accuracy;
      for (const [set, byDet] of Object.entries(e.metrics))
        for (const [det, v] of Object.entries(byDet)) metrics[`AUROC ${det} ${set}`] = v.AUROC;
    }
    return metrics;
  }
}

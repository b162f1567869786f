import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../core/random';
import {
  STREAM,
  epochOrder,
  gatherImages,
  gatherLabels,
  mixSeed,
  normalizer,
  outlierIndices,
  stepsPerEpoch,
  toImageTensor,
} from './batches';
import type { Checkpoint, CheckpointStore, CurvePoint } from './checkpoint';
import { checkpointFailure, makeCheckpoint, restoreFromCheckpoint } from './trainerCheckpoint';
import {
  CheckpointSchedule,
  DEFAULT_CADENCE,
  validateCadence,
  type CheckpointCadence,
  type CheckpointReason,
} from './checkpointCadence';
import { fingerprintData, type DataFingerprint } from './resumeCheck';
import { usesOutliers, validateConfig, type ExperimentConfig } from './config';
import { warmupCosineSchedule, type LrSchedule } from '../core/schedules';
import { trainingPipeline, withSetting } from './settings';
import { trainStep } from './step';
import type { Sgd } from './optim/sgd';
import type { TrainableClassifier, TrainingData } from './types';
import { releaseAbandonedGradientTape } from '../core/gradientTape';
import { StepAbortController, isStepAborted, macrotask } from './interrupt';
import { describeError } from './errorMessages';

export { describeError };
import { stepMemoryProblem } from './memoryEstimate';

export type RunStatus = 'running' | 'paused' | 'completed' | 'cancelled' | 'error';

/** A progress event, emitted after every step and on every status change. */
export interface TrainProgress {
  runId: string;
  status: RunStatus;
  /** 0-based current epoch and 1-based step within it. */
  epoch: number;
  epochs: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  /** Global steps completed and planned. */
  step: number;
  totalSteps: number;
  loss: number;
  /** Running train-mode accuracy over the current epoch (fraction). */
  runningAccuracy: number;
  lr: number;
  /** ID + outlier images per second over the last steps (forward+backward). */
  imagesPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
  /** Step of the last checkpoint written (−1 = none). */
  checkpointStep: number;
  /** Set with status 'error'. */
  error?: string;
  /**
   * Why the latest checkpoint write failed (e.g. storage full); training goes on in memory and the write is
   * retried. Absent once a write succeeds again.
   */
  checkpointWarning?: string;
  /**
   * 'first-step' from the moment a run (or resume) starts until its first step is done — the slowest step
   * (kernel setup, memory growth) and, at large batches, many seconds with nothing else to show.
   */
  phase?: 'first-step' | 'stepping';
}

export interface TrainerOptions {
  runId: string;
  store: CheckpointStore;
  optimizer: Sgd;
  onProgress?: (p: TrainProgress, point: CurvePoint | null) => void;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
  /** Yield to the event loop between steps so pause/cancel messages get through (default: setTimeout 0). */
  yieldFn?: () => Promise<void>;
  /** Awaited after each finished epoch (0-based index), after its checkpoint: e.g. evaluate per epoch. */
  onEpochEnd?: (epoch: number) => Promise<void>;
  /** Extra checkpoints by step count and wall-clock time (default: every 2 minutes). */
  cadence?: CheckpointCadence;
}

/**
 * Runs an experiment step by step. Deterministic: all randomness is derived from (config.seed, step), so
 * the same config and seed give the same losses on the same backend, also across checkpoint/resume.
 * Checkpoints after every epoch, on pause and cancel, and by step count / wall-clock time (`cadence`). A
 * checkpoint that cannot be written (storage full) never stops the run: the failure is reported in
 * `checkpointWarning` and the write retried later. A non-finite loss stops the run with status 'error' without
 * applying that step (the last checkpoint stays as it was).
 */
export class Trainer {
  readonly config: ExperimentConfig;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  private step = 0;
  private curve: CurvePoint[] = [];
  private elapsed = 0;
  private checkpointStep = -1;
  private checkpointWarning: string | undefined;
  private fingerprint: DataFingerprint | null = null;
  private status: RunStatus = 'paused';
  private cancelled = false;
  private pauseGate: { promise: Promise<void>; release: () => void } | null = null;
  /** Interrupts the step in flight (pause or cancel within a layer's time, not a whole step's). */
  private stepAbort: StepAbortController | null = null;
  private readonly trainCount: number;
  /** Per-step learning rate: linear warm-up (pre-training only), then cosine to lrMin over all steps. */
  private readonly schedule: LrSchedule;
  private readonly now: () => number;
  private readonly yieldFn: () => Promise<void>;

  constructor(
    private readonly model: TrainableClassifier,
    private readonly data: TrainingData,
    config: ExperimentConfig,
    private readonly options: TrainerOptions,
  ) {
    const problems = validateConfig(config);
    if (problems.length) throw new Error(`Invalid training config: ${problems.join(' ')}`);
    const memory = stepMemoryProblem(model, config, tf.getBackend());
    if (memory?.fatal) throw new Error(memory.message);
    if (usesOutliers(config.method) && !data.outliers?.n)
      throw new Error(`Method ${config.method} needs training outliers, but none are loaded.`);
    // The named setting fixes some keys (authors' code: shared noise, whole-batch OE mean); run what it fixes.
    this.config = withSetting({ ...config }, config.setting ?? 'consistent');
    this.trainCount = config.subsetSize ? Math.min(config.subsetSize, data.train.n) : data.train.n;
    this.stepsPerEpoch = stepsPerEpoch(this.trainCount, config.idBatchSize);
    if (this.stepsPerEpoch < 1)
      throw new Error(
        `The ID batch (${config.idBatchSize}) is larger than the training set (${this.trainCount}).`,
      );
    this.totalSteps = this.stepsPerEpoch * config.epochs;
    this.schedule = warmupCosineSchedule(
      config.lr,
      this.totalSteps,
      Math.min(config.warmupSteps, this.totalSteps - 1),
      config.lrMin,
    );
    this.now = options.now ?? (() => Date.now());
    this.yieldFn = options.yieldFn ?? macrotask;
    const cadenceProblems = validateCadence(options.cadence ?? DEFAULT_CADENCE);
    if (cadenceProblems.length) throw new Error(cadenceProblems.join(' '));
  }

  /** Continue from a checkpoint of this run (model, optimizer, step, curves). */
  async restore(cp: Checkpoint): Promise<void> {
    restoreFromCheckpoint(this.model, this.options.optimizer, cp);
    this.step = cp.step;
    this.curve = cp.curve.map((p) => ({ ...p }));
    this.elapsed = cp.elapsedSeconds;
    this.checkpointStep = cp.step;
  }

  /** Replace the progress listener (e.g. the worker's throttle). */
  setProgressListener(fn: TrainerOptions['onProgress']): void {
    this.options.onProgress = fn;
  }

  pause(): void {
    if (this.pauseGate || this.status !== 'running') return;
    let release = () => {};
    const promise = new Promise<void>((r) => (release = r));
    this.pauseGate = { promise, release };
    this.stepAbort?.abort('pause'); // the interrupted step is redone after resume (same seed, same result)
  }

  resume(): void {
    this.pauseGate?.release();
    this.pauseGate = null;
  }

  cancel(): void {
    this.cancelled = true;
    this.stepAbort?.abort('cancel');
    this.resume();
  }

  /** The run's id (its checkpoints' key). */
  get runId(): string {
    return this.options.runId;
  }

  get stepsDone(): number {
    return this.step;
  }

  get history(): CurvePoint[] {
    return this.curve;
  }

  /**
   * Write a checkpoint; a failed write is recorded (warning, retry) instead of stopping the run.
   * @returns whether it was written.
   */
  private async tryCheckpoint(reason: CheckpointReason, schedule: CheckpointSchedule): Promise<boolean> {
    try {
      await this.checkpoint();
      schedule.written(this.now());
      this.checkpointWarning = undefined;
      return true;
    } catch (err) {
      schedule.failed(this.now());
      this.checkpointWarning = checkpointFailure(reason, this.step, err);
      return false;
    }
  }

  /** Write a checkpoint of the current state (throws when the store refuses it). */
  async checkpoint(): Promise<void> {
    const cp = await makeCheckpoint(this.model, this.options.optimizer, {
      runId: this.options.runId,
      savedAt: this.now(),
      config: this.config,
      step: this.step,
      stepsPerEpoch: this.stepsPerEpoch,
      totalSteps: this.totalSteps,
      curve: this.curve,
      elapsedSeconds: this.elapsed,
      data: (this.fingerprint ??= fingerprintData(this.data)),
    });
    await this.options.store.save(cp);
    this.checkpointStep = this.step;
  }

  /** Run until done, cancelled or failed. Resolves with the final progress (never rejects for step errors). */
  async run(): Promise<TrainProgress> {
    const c = this.config;
    // ID batches and outliers enter the network as the setting says (settings.ts); evaluation is separate.
    const pipe = trainingPipeline(c, this.data.normalization);
    const idPre = normalizer(pipe.idNorm.mean, pipe.idNorm.std);
    /** Outliers (pixels) → network input, also inside the attack. */
    const pre = pipe.outlierNorm ? normalizer(pipe.outlierNorm.mean, pipe.outlierNorm.std) : rawPixels;
    const idSet = this.data.train;
    const outSet = usesOutliers(c.method) ? this.data.outliers : null;
    const outCount = outSet ? pipe.outliersUsed(outSet.n) : 0;
    let order: Int32Array | null = null;
    let orderEpoch = -1;
    let epochCorrect = 0;
    let epochSeen = 0;
    let last = this.progress(NaN, 0, 0);
    const recentSteps: { t: number; images: number }[] = [];
    this.status = 'running';
    this.cancelled = false;
    const schedule = new CheckpointSchedule(
      this.options.cadence ?? DEFAULT_CADENCE,
      this.stepsPerEpoch,
      this.now(),
    );
    this.emit({ ...last, status: 'running', phase: 'first-step' }, null);
    try {
      while (this.step < this.totalSteps) {
        if (this.pauseGate) {
          this.status = 'paused';
          // A paused tab may well be closed: keep what was trained since the last checkpoint.
          if (this.checkpointStep !== this.step) await this.tryCheckpoint('steps', schedule);
          this.emit({ ...last, status: 'paused', ...this.checkpointFields() }, null);
          await this.pauseGate.promise;
          this.status = 'running';
          recentSteps.length = 0;
        }
        if (this.cancelled) break;
        const epoch = Math.floor(this.step / this.stepsPerEpoch);
        const inEpoch = this.step % this.stepsPerEpoch;
        if (orderEpoch !== epoch) {
          order = epochOrder(c.seed, epoch, this.trainCount);
          orderEpoch = epoch;
        }
        if (inEpoch === 0) epochCorrect = epochSeen = 0;
        const t0 = this.now();
        const rng = new Random(mixSeed(c.seed, STREAM.step, this.step));
        const ids = order!.subarray(inEpoch * c.idBatchSize, (inEpoch + 1) * c.idBatchSize);
        const idPix = gatherImages(idSet, ids, c.augment ? rng.fork() : null);
        const idX = tf.tidy(() => idPre(toImageTensor(idPix, idSet)) as tf.Tensor4D);
        const idY = tf.tensor1d(gatherLabels(idSet, ids), 'int32');
        const outX = outSet
          ? toImageTensor(
              gatherImages(outSet, outlierIndices(inEpoch, c.outlierBatchSize, outCount), null),
              outSet,
            )
          : null;
        const lr = this.schedule(this.step);
        let outcome;
        this.stepAbort = new StepAbortController();
        try {
          outcome = await trainStep(this.model, this.options.optimizer, { idX, idY, outX }, c, lr, rng, pre, {
            signal: this.stepAbort.signal,
          });
        } catch (err) {
          if (isStepAborted(err)) continue; // paused (the gate waits at the top) or cancelled (loop ends)
          throw err;
        } finally {
          this.stepAbort = null;
          tf.dispose([idX, idY, ...(outX ? [outX] : [])]);
        }
        if (!outcome.applied) {
          throw new Error(
            `The loss became ${outcome.loss} at step ${this.step + 1} (epoch ${epoch + 1}); training stopped. ` +
              `The model is left as it was before this step and the last checkpoint (step ${this.checkpointStep}) is kept. ` +
              'Try a lower learning rate or ε.',
          );
        }
        this.step++;
        const t1 = this.now();
        this.elapsed += (t1 - t0) / 1000;
        epochCorrect += outcome.correct;
        epochSeen += c.idBatchSize;
        recentSteps.push({ t: t1 - t0, images: c.idBatchSize + (outX ? c.outlierBatchSize : 0) });
        if (recentSteps.length > 20) recentSteps.shift();
        const wt = recentSteps.reduce((s, w) => s + w.t, 0) / 1000;
        const imgs = recentSteps.reduce((s, w) => s + w.images, 0);
        const point: CurvePoint = {
          step: this.step,
          epoch,
          loss: outcome.loss,
          accuracy: epochCorrect / epochSeen,
          lr,
        };
        this.curve.push(point);
        last = {
          ...this.progress(outcome.loss, point.accuracy, wt > 0 ? imgs / wt : 0, lr),
          phase: 'stepping',
        };
        const epochDone = this.step % this.stepsPerEpoch === 0;
        // A cancel or pause that arrived during the step writes its own checkpoint right away: no second write.
        const reason = this.cancelled || this.pauseGate ? null : schedule.due(this.step, t1);
        if (reason) await this.tryCheckpoint(reason, schedule);
        this.emit({ ...last, ...this.checkpointFields() }, point);
        if (epochDone) await this.options.onEpochEnd?.(epoch);
        await this.yieldFn();
      }
      if (this.checkpointStep !== this.step)
        await this.tryCheckpoint(this.cancelled ? 'cancel' : 'final', schedule);
      this.status = this.cancelled ? 'cancelled' : 'completed';
      last = { ...last, status: this.status, ...this.checkpointFields() };
    } catch (err) {
      releaseAbandonedGradientTape(); // a failure inside tf.grad would otherwise leak the tape's tensors
      this.status = 'error';
      last = { ...last, status: 'error', error: describeError(err), ...this.checkpointFields() };
    }
    this.emit(last, null);
    return last;
  }

  private progress(loss: number, accuracy: number, ips: number, lr = this.config.lr): TrainProgress {
    const remaining = this.totalSteps - this.step;
    const perStep =
      this.step > 0 && ips > 0
        ? (this.config.idBatchSize + (usesOutliers(this.config.method) ? this.config.outlierBatchSize : 0)) /
          ips
        : 0;
    return {
      runId: this.options.runId,
      status: this.status,
      epoch: this.step > 0 ? Math.floor((this.step - 1) / this.stepsPerEpoch) : 0,
      epochs: this.config.epochs,
      stepInEpoch: this.step > 0 ? ((this.step - 1) % this.stepsPerEpoch) + 1 : 0,
      stepsPerEpoch: this.stepsPerEpoch,
      step: this.step,
      totalSteps: this.totalSteps,
      loss,
      runningAccuracy: accuracy,
      lr,
      imagesPerSecond: ips,
      etaSeconds: remaining * perStep,
      elapsedSeconds: this.elapsed,
      checkpointStep: this.checkpointStep,
    };
  }

  private checkpointFields(): Pick<TrainProgress, 'checkpointStep' | 'checkpointWarning'> {
    return { checkpointStep: this.checkpointStep, checkpointWarning: this.checkpointWarning };
  }

  private emit(p: TrainProgress, point: CurvePoint | null): void {
    this.options.onProgress?.(p, point);
  }
}

/** The authors' outliers enter the network as raw [0,1] pixels (ε then acts in network-input units). */
function rawPixels(t: tf.Tensor): tf.Tensor {
  return t;
}

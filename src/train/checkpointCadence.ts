/**
 * When a run writes a checkpoint. A run always checkpoints at the end of every epoch and on cancel; on top of
 * that it checkpoints every `everySteps` steps and every `everySeconds` seconds of wall-clock time (0 = off),
 * so a crash or a reload loses at most one interval of work, not an epoch (one paper-recipe epoch on WASM
 * takes hours). A failed write (storage full) is retried after `retrySeconds`, or at the next regular point.
 */
export interface CheckpointCadence {
  /** Checkpoint every this many global steps (0 = off). */
  everySteps: number;
  /** Checkpoint when this many seconds of wall-clock time passed since the last write (0 = off). */
  everySeconds: number;
}

/** Default: every 2 minutes of wall-clock time (plus every epoch end). */
export const DEFAULT_CADENCE: CheckpointCadence = { everySteps: 0, everySeconds: 120 };

/** Seconds to wait before retrying a checkpoint write that failed. */
export const RETRY_SECONDS = 30;

/** Why a checkpoint is written now. */
export type CheckpointReason = 'epoch' | 'steps' | 'time' | 'retry' | 'cancel' | 'final';

/** Human-readable problems of a cadence (empty when valid). */
export function validateCadence(c: CheckpointCadence): string[] {
  const errors: string[] = [];
  if (!Number.isInteger(c.everySteps) || c.everySteps < 0)
    errors.push('Checkpoint every N steps must be an integer ≥ 0 (0 = off).');
  if (!(c.everySeconds >= 0)) errors.push('Checkpoint every N seconds must be ≥ 0 (0 = off).');
  return errors;
}

/**
 * Decides after each step whether a checkpoint is due. Times are in ms from an injected clock, so tests can
 * drive it without waiting.
 */
export class CheckpointSchedule {
  /** Clock time (ms) of the last successful write, or of the start of the run. */
  private lastWriteAt: number;
  /** Clock time (ms) of the last failed attempt (null after a success). */
  private failedAt: number | null = null;

  constructor(
    private readonly cadence: CheckpointCadence,
    private readonly stepsPerEpoch: number,
    startMs: number,
    private readonly retrySeconds = RETRY_SECONDS,
  ) {
    this.lastWriteAt = startMs;
  }

  /**
   * The reason to checkpoint after `step` steps have completed at clock time `nowMs`, or null.
   * @param step global steps completed (1-based count).
   */
  due(step: number, nowMs: number): CheckpointReason | null {
    if (step % this.stepsPerEpoch === 0) return 'epoch';
    if (this.cadence.everySteps > 0 && step % this.cadence.everySteps === 0) return 'steps';
    if (this.failedAt !== null && nowMs - this.failedAt >= this.retrySeconds * 1000) return 'retry';
    if (
      this.failedAt === null &&
      this.cadence.everySeconds > 0 &&
      nowMs - this.lastWriteAt >= this.cadence.everySeconds * 1000
    )
      return 'time';
    return null;
  }

  /** Record a successful write at `nowMs` (restarts the time interval). */
  written(nowMs: number): void {
    this.lastWriteAt = nowMs;
    this.failedAt = null;
  }

  /** Record a failed write at `nowMs` (a retry becomes due `retrySeconds` later). */
  failed(nowMs: number): void {
    this.failedAt = nowMs;
  }
}

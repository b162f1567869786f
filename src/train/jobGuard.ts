/** The long jobs the training worker runs; only one at a time. */
export type JobKind = 'training' | 'evaluation' | 'checkpoint-restore' | 'experiment';

const JOB_WORDS: Record<JobKind, string> = {
  training: 'a training run is in progress',
  evaluation: 'an evaluation is in progress',
  'checkpoint-restore': 'a checkpoint is being restored',
  experiment: 'an experiment grid is running',
};

const JOB_FIX: Record<JobKind, string> = {
  training: 'Cancel the run first (its checkpoint is kept), or wait until it finishes.',
  evaluation: 'Wait until it finishes.',
  'checkpoint-restore': 'Wait until it finishes.',
  experiment: 'Cancel it in the Experiments area first (finished cells are kept), or wait until it finishes.',
};

/**
 * One job at a time: every state-changing call of the training API asks the guard first, so nothing disposes
 * or replaces the model under a running job. `begin` is synchronous, so two calls racing across awaits cannot
 * both start. Refusals name the action, the running job and what to do.
 */
export class JobGuard {
  private job: { kind: JobKind; detail: () => string } | null = null;

  /** The running job's kind, or null. */
  get running(): JobKind | null {
    return this.job?.kind ?? null;
  }

  /** Throw a clear refusal when a job runs. @param action e.g. "import weights" */
  refuse(action: string): void {
    if (!this.job) return;
    const detail = this.job.detail();
    const what = `${JOB_WORDS[this.job.kind]}${detail ? ` (${detail})` : ''}`;
    throw new Error(`Cannot ${action} while ${what}. ${JOB_FIX[this.job.kind]}`);
  }

  /**
   * Claim the worker for a job; throws the refusal when another job runs.
   * @returns a release function (idempotent).
   */
  begin(kind: JobKind, action: string, detail: () => string = () => ''): () => void {
    this.refuse(action);
    const job = { kind, detail };
    this.job = job;
    return () => {
      if (this.job === job) this.job = null;
    };
  }

  /** Switch the running job's description (e.g. a restore that became a training run). */
  update(kind: JobKind, detail: () => string): void {
    if (!this.job) return;
    this.job.kind = kind; // in place: the release function of `begin` identifies the job by object
    this.job.detail = detail;
  }
}

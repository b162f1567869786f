/**
 * The one run a worker executes at a time — an experiment grid in the compute worker, a toy cell in a helper
 * worker — and the controls its messages reach: cancel (an AbortController, the app's one cancellation
 * mechanism) and pause/resume (a `RunControl`). Worker files keep one of these instead of module-level state.
 */
import { RunControl } from './run';

export class ActiveRun {
  private current: { controller: AbortController; control: RunControl } | null = null;

  /** True while a run started by `run` has not settled. */
  get running(): boolean {
    return this.current !== null;
  }

  /**
   * Run `fn` as the active run with a fresh control; it stops being active when `fn` settles.
   * @throws when another run is active (one at a time), before calling `fn`.
   */
  async run<T>(fn: (control: RunControl) => Promise<T>): Promise<T> {
    if (this.current) throw new Error('A run is already in progress here: cancel it first.');
    const controller = new AbortController();
    const run = { controller, control: new RunControl(controller.signal) };
    this.current = run;
    try {
      return await fn(run.control);
    } finally {
      if (this.current === run) this.current = null;
    }
  }

  /** Abort the active run's signal (no-op when none runs). */
  cancel(): void {
    this.current?.controller.abort();
  }

  /** Pause (true) or resume (false) the active run at its next `gate()` (no-op when none runs). */
  setPaused(paused: boolean): void {
    if (paused) this.current?.control.pause();
    else this.current?.control.resume();
  }
}

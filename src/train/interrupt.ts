/**
 * Interrupting a long training step (cancel / pause within a second, whatever the batch).
 *
 * A step on WASM is synchronous work between awaits; a worker only sees a cancel message when the step yields
 * to the event loop. The hand-written WRN passes call `between()` between layers: it yields at most every
 * `everyMs` milliseconds (so small steps pay nothing) and throws `StepAborted` once the signal is aborted. An
 * aborted step has not touched the model (weights, optimizer buffers and BN statistics are only written after
 * the whole step's gradients exist).
 */

/** The part of the DOM/Node `AbortSignal` we need (a real AbortSignal fits; core code has no DOM types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

/** A minimal AbortController for DOM-free code (the real one works as well where it exists). */
export class StepAbortController {
  private state: { aborted: boolean; reason?: unknown } = { aborted: false };
  readonly signal: AbortSignalLike = this.state;
  abort(reason?: unknown): void {
    if (this.state.aborted) return;
    this.state.aborted = true;
    this.state.reason = reason;
  }
}

/** Thrown by an interrupted step; `reason` is what was passed to `abort` (e.g. 'cancel', 'pause'). */
export class StepAborted extends Error {
  override readonly name = 'AbortError';
  constructor(readonly reason: unknown) {
    super(`The training step was interrupted (${String(reason ?? 'aborted')}); the model is unchanged.`);
  }
}

/** Whether `err` is a step interruption (ours, or a DOM AbortError). */
export function isStepAborted(err: unknown): err is StepAborted {
  return err instanceof StepAborted || (err instanceof Error && err.name === 'AbortError');
}

/** Throws `StepAborted` if the signal is aborted. */
export function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted) throw new StepAborted(signal.reason);
}

/** Resolve on a fresh macrotask (lets worker messages in); DOM-free lookup of setTimeout. */
export function macrotask(): Promise<void> {
  const g = globalThis as unknown as { setTimeout: (f: () => void, ms: number) => unknown };
  return new Promise((r) => g.setTimeout(r, 0));
}

export interface InterruptOptions {
  signal?: AbortSignalLike;
  /** How to yield (default: a macrotask). */
  yieldFn?: () => Promise<void>;
  /** Yield when this much time has passed since the last yield (ms; default 100). */
  everyMs?: number;
  /** Clock in ms. */
  now?: () => number;
}

/**
 * A `between()` for long computations: yields to the event loop when `everyMs` have passed since the last
 * yield, then throws `StepAborted` if the signal was aborted meanwhile (also checked without yielding).
 */
export function interruptPoint(o: InterruptOptions = {}): () => Promise<void> {
  const now = o.now ?? (() => Date.now());
  const yieldFn = o.yieldFn ?? macrotask;
  const everyMs = o.everyMs ?? 100;
  let last = now();
  return async () => {
    throwIfAborted(o.signal);
    if (now() - last >= everyMs) {
      await yieldFn();
      last = now();
      throwIfAborted(o.signal);
    }
  };
}

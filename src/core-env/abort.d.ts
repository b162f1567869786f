/**
 * AbortSignal/AbortController for the DOM-free code (tsconfig.core.json has no DOM, WebWorker or Node types).
 * Both exist at run time in browsers, workers and Node ≥ 16; this declares the part the core uses, and is
 * included only by tsconfig.core.json (the app, worker and Node configs get the full types from their libs).
 */
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}
// eslint-disable-next-line no-var -- a global value declaration must be `var`
declare var AbortController: { prototype: AbortController; new (): AbortController };
// eslint-disable-next-line no-var -- a global value declaration must be `var`
declare var AbortSignal: { prototype: AbortSignal; abort(reason?: unknown): AbortSignal };

import * as Comlink from 'comlink';
import type { WorkerApi } from '../worker/api';
import type { BackendName } from '../worker/backend';
import { useAppStore } from './store';

/**
 * What happened to the compute worker.
 * - `died`: the worker is gone (it closed itself, was killed for memory, or its script failed to start); every
 *   pending call on it is lost. Detected within milliseconds through a Web Lock the worker holds for its life.
 * - `error`: the worker reported an uncaught error but is still alive; running jobs go on.
 */
export interface WorkerFault {
  kind: 'died' | 'error';
  message: string;
}

let remote: Comlink.Remote<WorkerApi> | null = null;
let worker: Worker | null = null;
let generation = 0;
/** Rejects when the current worker dies (a fresh promise per worker). */
let death: { promise: Promise<never>; reject: (e: Error) => void } | null = null;
const faultListeners = new Set<(f: WorkerFault) => void>();

/** Be told when the compute worker dies or reports an uncaught error it survived. */
export function onWorkerFault(fn: (f: WorkerFault) => void): () => void {
  faultListeners.add(fn);
  return () => faultListeners.delete(fn);
}

/** True where the browser has the Web Locks API (the liveness check); elsewhere only errors are seen. */
const hasLocks = () => typeof navigator !== 'undefined' && 'locks' in navigator;

function report(gen: number, fault: WorkerFault): void {
  if (gen !== generation) return; // an old worker that was replaced on purpose
  if (fault.kind === 'died') {
    useAppStore.getState().setBackendError(fault.message);
    death?.reject(new Error(fault.message));
    // The dead worker's proxy can never answer: drop it, so the next call starts a fresh worker.
    worker?.terminate();
    worker = null;
    remote = null;
    generation++;
  }
  faultListeners.forEach((fn) => fn(fault));
}

/**
 * Watch the worker's life lock: the worker takes the lock named after itself as soon as it starts and holds it
 * until it ends, so our request for the same lock is granted exactly when the worker is gone.
 */
function watchLifeLock(name: string, gen: number): void {
  if (!hasLocks()) return;
  void navigator.locks.request(name, async () => {
    report(gen, {
      kind: 'died',
      message:
        'The compute worker stopped unexpectedly (it was closed, or the browser killed it, e.g. for running out of memory)',
    });
  });
}

/** The compute worker's typed proxy (created on first use). */
export function computeWorker(): Comlink.Remote<WorkerApi> {
  if (!remote) {
    const gen = ++generation;
    const name = `aoe-compute-${Date.now()}-${gen}`;
    worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name });
    let reject: (e: Error) => void = () => {};
    const promise = new Promise<never>((_, r) => (reject = r));
    promise.catch(() => undefined); // only observed by callers that race it
    death = { promise, reject };
    let started = false;
    worker.addEventListener('error', (e) => {
      // Before the worker has started, an error means its script failed to load: it is dead. After that, the
      // life lock tells a dead worker apart; an error event alone is one the worker survived.
      const message = `The compute worker reported an uncaught error: ${e.message || 'unknown error'}`;
      report(gen, { kind: started || !hasLocks() ? 'error' : 'died', message });
    });
    worker.addEventListener('messageerror', () =>
      report(gen, { kind: 'error', message: 'A message from the compute worker could not be decoded' }),
    );
    remote = Comlink.wrap<WorkerApi>(worker);
    // The worker answers `alive` once it holds its life lock; only then may we queue for the lock ourselves.
    void remote.alive().then(() => {
      started = true;
      watchLifeLock(name, gen);
    });
  }
  return remote;
}

/**
 * Resolve with `call`, or reject as soon as the worker that runs it dies (a dead worker's calls never settle).
 */
export function unlessWorkerDies<T>(call: Promise<T>): Promise<T> {
  computeWorker();
  return Promise.race([call, death!.promise]);
}

/** The backend forced by the URL (`?backend=`), if any. */
export function forcedBackend(): BackendName | null {
  return new URLSearchParams(location.search).get('backend') as BackendName | null;
}
// e2e tests reach the worker through this hook (page.evaluate cannot import the bundle's modules); test builds
// only (`vite build --mode e2e`).
if (import.meta.env.MODE === 'e2e')
  (globalThis as { __aoeWorker?: typeof computeWorker }).__aoeWorker = computeWorker;

/** Start the worker and record which backend it runs on. A `?backend=` URL parameter forces one. */
export async function startWorker(forced: BackendName | null = forcedBackend()): Promise<void> {
  try {
    const info = await unlessWorkerDies(computeWorker().init(forced ?? undefined));
    useAppStore.getState().setBackend(info);
  } catch (err) {
    useAppStore.getState().setBackendError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Terminate the worker and start a fresh one on `forced` (null = automatic choice); the URL's `?backend=`
 * is updated so a reload keeps the choice. Everything held in the old worker (data, model) is dropped.
 */
export async function restartWorker(forced: BackendName | null): Promise<void> {
  generation++; // the old worker's end is on purpose: not a fault
  worker?.terminate();
  if (remote) remote[Comlink.releaseProxy]();
  worker = null;
  remote = null;
  const url = new URL(location.href);
  if (forced) url.searchParams.set('backend', forced);
  else url.searchParams.delete('backend');
  history.replaceState(null, '', url);
  useAppStore.setState({ backend: null, backendError: null });
  await startWorker(forced);
}

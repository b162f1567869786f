import * as Comlink from 'comlink';
import type { WorkerApi } from '../worker/api';
import type { BackendName } from '../worker/backend';
import { useAppStore } from './store';

let remote: Comlink.Remote<WorkerApi> | null = null;
let worker: Worker | null = null;
const crashListeners = new Set<(message: string) => void>();

/** Be told when the compute worker dies (uncaught error or a message that cannot be decoded). */
export function onWorkerCrash(fn: (message: string) => void): () => void {
  crashListeners.add(fn);
  return () => crashListeners.delete(fn);
}

function reportCrash(message: string): void {
  useAppStore.getState().setBackendError(message);
  crashListeners.forEach((fn) => fn(message));
}

/** The compute worker's typed proxy (created on first use). */
export function computeWorker(): Comlink.Remote<WorkerApi> {
  if (!remote) {
    worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('error', (e) => reportCrash(`Worker crashed: ${e.message || 'unknown error'}`));
    worker.addEventListener('messageerror', () =>
      reportCrash('Worker crashed: a message could not be decoded'),
    );
    remote = Comlink.wrap<WorkerApi>(worker);
  }
  return remote;
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
    const info = await computeWorker().init(forced ?? undefined);
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
  worker?.terminate();
  remote?.[Comlink.releaseProxy]();
  worker = null;
  remote = null;
  const url = new URL(location.href);
  if (forced) url.searchParams.set('backend', forced);
  else url.searchParams.delete('backend');
  history.replaceState(null, '', url);
  useAppStore.setState({ backend: null, backendError: null });
  await startWorker(forced);
}

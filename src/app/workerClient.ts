import * as Comlink from 'comlink';
import type { WorkerApi } from '../worker/api';
import type { BackendName } from '../worker/backend';
import { useAppStore } from './store';

let remote: Comlink.Remote<WorkerApi> | null = null;

/** The compute worker's typed proxy (created on first use). */
export function computeWorker(): Comlink.Remote<WorkerApi> {
  if (!remote) {
    const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('error', (e) =>
      useAppStore.getState().setBackendError(`Worker crashed: ${e.message}`),
    );
    remote = Comlink.wrap<WorkerApi>(worker);
  }
  return remote;
}

// e2e tests reach the worker through this hook (page.evaluate cannot import the bundle's modules).
(globalThis as { __aoeWorker?: typeof computeWorker }).__aoeWorker = computeWorker;

/** Start the worker and record which backend it runs on. A `?backend=` URL parameter forces one. */
export async function startWorker(): Promise<void> {
  const forced = new URLSearchParams(location.search).get('backend') as BackendName | null;
  try {
    const info = await computeWorker().init(forced ?? undefined);
    useAppStore.getState().setBackend(info);
  } catch (err) {
    useAppStore.getState().setBackendError(err instanceof Error ? err.message : String(err));
  }
}

import * as Comlink from 'comlink';
import type { WorkerApi } from '../../worker/api';
import type { BackendInfo, BackendName } from '../../worker/backend';

/**
 * The toy runs in its OWN instance of the compute worker, so it can sit on the backend that suits a tiny MLP
 * (WASM by default: per-op overhead, not FLOPs, dominates here) while the WideResNet worker uses WebGPU. The
 * instance is recreated when the toy's backend setting changes.
 */
let current: {
  backend: BackendName;
  worker: Worker;
  remote: Comlink.Remote<WorkerApi>;
  info: Promise<BackendInfo>;
} | null = null;

export function toyWorker(backend: BackendName): {
  remote: Comlink.Remote<WorkerApi>;
  info: Promise<BackendInfo>;
} {
  if (current && current.backend === backend) return current;
  current?.worker.terminate();
  const worker = new Worker(new URL('../../worker/worker.ts', import.meta.url), { type: 'module' });
  const remote = Comlink.wrap<WorkerApi>(worker);
  current = { backend, worker, remote, info: remote.toy.init(backend) };
  return current;
}

/** Extra toy workers that share the runs of an ε sweep with the main one (created on first use, kept). */
let helpers: { backend: BackendName; workers: Worker[]; remotes: Comlink.Remote<WorkerApi>[] } | null = null;

/**
 * `count` helper workers on the toy's backend (each on one core; the main toy worker is the other sweeper).
 * The caller sends them the current settings before handing them jobs.
 */
export async function toySweepHelpers(
  backend: BackendName,
  count: number,
): Promise<Comlink.Remote<WorkerApi>[]> {
  if (!helpers || helpers.backend !== backend) {
    helpers?.workers.forEach((w) => w.terminate());
    helpers = { backend, workers: [], remotes: [] };
  }
  while (helpers.workers.length < count) {
    const worker = new Worker(new URL('../../worker/worker.ts', import.meta.url), { type: 'module' });
    const remote = Comlink.wrap<WorkerApi>(worker);
    await remote.toy.init(backend);
    helpers.workers.push(worker);
    helpers.remotes.push(remote);
  }
  return helpers.remotes.slice(0, count);
}

/** How many workers an ε sweep uses: one per core, at least 2 (the runs are independent), at most 4. */
export function sweepWorkerCount(): number {
  return Math.min(4, Math.max(2, navigator.hardwareConcurrency || 2));
}

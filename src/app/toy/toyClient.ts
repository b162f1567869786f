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

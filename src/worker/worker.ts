/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { WorkerApi } from './api';
import { selectBackend } from './backend';
import { trainApi } from './trainApi';
import { modelsApi } from './modelsApi';
// tfjs-core registers no gradients by itself; core perturbations and training call tf.grad.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { dataApi } from './dataApi';
import { createToyApi } from './toyApi';
import { analysesApi } from './analysesApi';

/**
 * Hold a Web Lock named after this worker for its whole life (the callback never settles); the lock is released
 * only when the worker ends (self.close(), terminate, a crash), which is how the page notices a dead worker.
 */
const lifeLock = new Promise<void>((granted) => {
  const locks = (self.navigator as WorkerNavigator & { locks?: LockManager }).locks;
  if (!locks || !self.name) return granted();
  void locks.request(self.name, () => {
    granted();
    return new Promise<never>(() => {});
  });
});
import { experimentsApi } from './experimentsApi';

/**
 * Test-only internals of the training API (`bench`, `memory`, `testLogits`) exist only in test builds
 * (`vite build --mode e2e`, which `npm test` and the browser benches use); a production build leaves them out.
 */
function trainSurface() {
  if (import.meta.env.MODE === 'e2e') return trainApi;
  const { bench: _bench, memory: _memory, testLogits: _testLogits, ...rest } = trainApi;
  return rest as typeof trainApi;
}

const api: WorkerApi = {
  init: (forced) => selectBackend(forced),
  ping: async () => 'pong',
  alive: () => lifeLock,
  train: trainSurface(),
  models: modelsApi,
  data: dataApi,
  toy: Comlink.proxy(createToyApi()),
  analyses: analysesApi,
  experiments: Comlink.proxy(experimentsApi),
};

Comlink.expose(api);

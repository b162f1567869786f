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

const api: WorkerApi = {
  init: (forced) => selectBackend(forced),
  ping: async () => 'pong',
  alive: () => lifeLock,
  train: trainApi,
  models: modelsApi,
  data: dataApi,
  toy: Comlink.proxy(createToyApi()),
  analyses: analysesApi,
};

Comlink.expose(api);

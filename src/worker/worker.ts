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
  train: trainSurface(),
  models: modelsApi,
  data: dataApi,
  toy: Comlink.proxy(createToyApi()),
  experiments: Comlink.proxy(experimentsApi),
};

Comlink.expose(api);

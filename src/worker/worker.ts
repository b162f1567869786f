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

const api: WorkerApi = {
  init: (forced) => selectBackend(forced),
  ping: async () => 'pong',
  train: trainApi,
  models: modelsApi,
  data: dataApi,
  toy: Comlink.proxy(createToyApi()),
  analyses: analysesApi,
};

Comlink.expose(api);

/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { WorkerApi } from './api';
import { selectBackend } from './backend';
import { createToyApi } from './toyApi';
// tfjs-core ships no gradients; training (toy, WRN) needs them registered once per worker.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

const api: WorkerApi = {
  init: (forced) => selectBackend(forced),
  ping: async () => 'pong',
  toy: Comlink.proxy(createToyApi()),
};

Comlink.expose(api);

/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { WorkerApi } from './api';
import { selectBackend } from './backend';

const api: WorkerApi = {
  init: (forced) => selectBackend(forced),
  ping: async () => 'pong',
};

Comlink.expose(api);

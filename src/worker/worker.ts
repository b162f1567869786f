/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { WorkerApi } from './api';
import { selectBackend } from './backend';
import { dataApi } from './dataApi';

const api: WorkerApi = {
  init: (forced) => selectBackend(forced),
  ping: async () => 'pong',
  data: dataApi,
};

Comlink.expose(api);

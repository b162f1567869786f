import type { BackendInfo, BackendName } from './backend';
import type { TrainWorkerApi } from './trainApi';
import type { ModelsWorkerApi } from './modelsApi';
import type { DataWorkerApi } from './data/types';
import type { ProxyMarked } from 'comlink';
import type { ToyWorkerApi } from './toyApi';
import type { AnalysesWorkerApi } from './analysesApi';
import type { ExperimentsWorkerApi } from './experimentsApi';

/**
 * The typed surface of the compute worker, called from the main thread through comlink.
 * Every long call takes a cancellation token id; see `cancel`.
 */
export interface WorkerApi {
  /** Initialise tfjs on the best backend (or the forced one) and report what was chosen. */
  init(forced?: BackendName): Promise<BackendInfo>;
  /** Liveness probe used by tests and by the UI's worker-crash detector. */
  ping(): Promise<'pong'>;
  /**
   * Resolves once the worker holds its life lock (a Web Lock named after the worker, held until the worker
   * ends): the main thread then queues for the same lock and is granted it the moment the worker dies.
   */
  alive(): Promise<void>;
  /** WideResNet training, evaluation and weights I/O (src/worker/trainApi.ts). */
  train: TrainWorkerApi;
  /** WideResNet utilities (gradient self-test of the active backend). */
  models: ModelsWorkerApi;
  /** Data sets: CIFAR loading and caching, training outliers, OOD test sets (src/worker/dataApi.ts). */
  data: DataWorkerApi;
  /**
   * The 2-D toy energy landscape (src/worker/toyApi.ts). Marked as a comlink proxy so `remote.toy.f()` is typed as
   * a remote call (comlink resolves the nested path either way).
   */
  toy: ToyWorkerApi & ProxyMarked;
  /** Analyses of the current model: detector table, energies, ROC, gallery, test-time attack (analysesApi.ts). */
  analyses: AnalysesWorkerApi;
  /** Experiment grids (src/worker/experimentsApi.ts over src/experiments/run.ts). */
  experiments: ExperimentsWorkerApi & ProxyMarked;
}

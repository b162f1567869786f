import type { BackendInfo, BackendName } from './backend';
import type { TrainWorkerApi } from './trainApi';

/**
 * The typed surface of the compute worker, called from the main thread through comlink.
 * Every long call takes a cancellation token id; see `cancel`.
 */
export interface WorkerApi {
  /** Initialise tfjs on the best backend (or the forced one) and report what was chosen. */
  init(forced?: BackendName): Promise<BackendInfo>;
  /** Liveness probe used by tests and by the UI's worker-crash detector. */
  ping(): Promise<'pong'>;
  /** WideResNet training, evaluation and weights I/O (src/worker/trainApi.ts). */
  train: TrainWorkerApi;
}

/// <reference lib="webworker" />
/**
 * Extra workers for toy experiment cells: the compute worker's runner hands them cells through `runExperiment`'s
 * `parallel` executors, so a toy grid (e.g. the 21-cell ε sweep) trains on every core. Each executor forwards
 * the run's cancel and pause to its worker (a cell checks them every 50 training steps, well within a second).
 */
import type { CellExecutor, CellOutcome } from '../experiments/run';
import type { ToyCellRequest } from './toyCellWorker';

/** How many workers a toy grid uses in all (this one included): one per core, at least 2, at most 4. */
export function toyGridWorkerCount(): number {
  const cores = self.navigator?.hardwareConcurrency || 2;
  return Math.max(2, Math.min(4, cores));
}

/** `count` helper workers as cell executors; `close` terminates them (call when the run ends). */
export function toyCellPool(count: number, specId: string): { executors: CellExecutor[]; close(): void } {
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL('./toyCellWorker.ts', import.meta.url), { type: 'module', name: 'toy-cells' }),
  );
  const executors = workers.map(
    (worker): CellExecutor =>
      (config, ctx) =>
        new Promise<CellOutcome>((resolve, reject) => {
          const send = (m: ToyCellRequest) => worker.postMessage(m);
          const onAbort = () => send({ type: 'cancel' });
          const offPause = ctx.control.onPauseChange((paused) => send({ type: 'pause', paused }));
          const cleanup = () => {
            ctx.control.signal.removeEventListener('abort', onAbort);
            offPause();
            worker.onmessage = null;
            worker.onerror = null;
          };
          worker.onmessage = (e: MessageEvent) => {
            const m = e.data as
              | { type: 'progress'; p: { fraction: number; message: string } }
              | { type: 'done'; outcome: CellOutcome }
              | { type: 'error'; name: string; message: string };
            if (m.type === 'progress') ctx.onProgress(m.p);
            else if (m.type === 'done') {
              cleanup();
              resolve(m.outcome);
            } else {
              cleanup();
              const err = new Error(m.message);
              err.name = m.name;
              reject(err);
            }
          };
          worker.onerror = (e) => {
            cleanup();
            reject(new Error(`A toy-cell worker failed: ${e.message || 'it could not start'}`));
          };
          ctx.control.signal.addEventListener('abort', onAbort, { once: true });
          send({ type: 'run', specId, config });
          if (ctx.control.paused) send({ type: 'pause', paused: true });
        }),
  );
  return { executors, close: () => workers.forEach((w) => w.terminate()) };
}

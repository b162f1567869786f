/// <reference lib="webworker" />
/**
 * A helper worker that runs toy experiment cells for the compute worker's experiment runner (toyCellPool.ts), so
 * a toy grid's cells train on several cores at once. A thin adapter over `toyExecutor` (src/experiments): the
 * toy engine needs no tfjs backend. Messages in: run {specId, config}, pause {paused}, cancel; out: progress,
 * done {outcome}, error {name, message}.
 */
import { toyExecutor } from '../experiments/executors/toyCell';
import { experimentById } from '../experiments/registry';
import { ActiveRun } from '../experiments/activeRun';
import type { RunConfig } from '../experiments/types';

export type ToyCellRequest =
  | { type: 'run'; specId: string; config: RunConfig }
  | { type: 'pause'; paused: boolean }
  | { type: 'cancel' };

const active = new ActiveRun();

self.onmessage = async (e: MessageEvent<ToyCellRequest>) => {
  const m = e.data;
  if (m.type === 'cancel') active.cancel();
  else if (m.type === 'pause') active.setPaused(m.paused);
  else
    try {
      const outcome = await active.run((control) =>
        toyExecutor(m.config, {
          control,
          spec: experimentById(m.specId),
          onProgress: (p) => self.postMessage({ type: 'progress', p }),
        }),
      );
      self.postMessage({ type: 'done', outcome });
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      self.postMessage({ type: 'error', name, message: err instanceof Error ? err.message : String(err) });
    }
};

import { mergeToyParams, type ToyParams } from '../../train/toy/params';
import { toyWorker } from './toyClient';
import { useToyStore } from './toyStore';

/** Current model's headline numbers (fractions; steps = optimiser steps since the last reset). */
export interface ToyMetrics {
  acceptedArea: number;
  AUROC: number;
  FPR95TPR: number;
  accuracy: number;
  steps: number;
}

/**
 * `window.aoe.toy`: a small scripting/test API over the same store the UI uses (present in every build).
 * - `setParams(partial)`: same keys as the URL schema; applies them without training (rejects unknown keys).
 * - `reset()`: back to the seeded initial weights. `trainSteps(n)`: train n steps; resolves when done.
 * - `retrain()`: what releasing the ε slider does. `metrics()`: numbers of the current model (right pane).
 * - `params()`, `status()`, `lastRetrainMs()`.
 */
export interface ToyTestApi {
  setParams(partial: Partial<ToyParams>): Promise<void>;
  reset(): Promise<void>;
  trainSteps(n: number): Promise<void>;
  retrain(): Promise<void>;
  metrics(): ToyMetrics | null;
  baselineMetrics(): ToyMetrics | null;
  params(): ToyParams;
  status(): string;
  lastRetrainMs(): number | null;
  lastRetrainFirstFrameMs(): number | null;
  /** Whether the last retrain came from the worker's memo of earlier retrains (an ε visited before). */
  lastRetrainCached(): boolean | null;
}

function metricsOf(
  ev:
    | { acceptedArea: number; AUROC: number; FPR95TPR: number; accuracy: number; steps: number }
    | null
    | undefined,
): ToyMetrics | null {
  if (!ev) return null;
  return {
    acceptedArea: ev.acceptedArea,
    AUROC: ev.AUROC,
    FPR95TPR: ev.FPR95TPR,
    accuracy: ev.accuracy,
    steps: ev.steps,
  };
}

async function idle(): Promise<void> {
  const api = () => toyWorker(useToyStore.getState().params.toyBackend).remote.toy;
  const s = useToyStore.getState().status;
  if (s === 'playing' || s === 'sweeping') await api().pause();
}

export function installToyTestApi(): void {
  const w = window as unknown as { aoe?: Record<string, unknown> };
  w.aoe ??= {};
  const api: ToyTestApi = {
    async setParams(partial) {
      const { rejected } = mergeToyParams(useToyStore.getState().params, partial);
      if (rejected.length) throw new Error(`toy.setParams: unknown or invalid keys: ${rejected.join(', ')}`);
      await idle();
      await useToyStore.getState().setParams(partial, { commit: false });
      await useToyStore.getState().refresh();
    },
    async reset() {
      await idle();
      await useToyStore.getState().reset();
    },
    async trainSteps(n) {
      await idle();
      await useToyStore.getState().step(n);
    },
    retrain: () => useToyStore.getState().retrain(),
    metrics: () => metricsOf(useToyStore.getState().frame?.main),
    baselineMetrics: () => metricsOf(useToyStore.getState().frame?.baseline),
    params: () => ({ ...useToyStore.getState().params }),
    status: () => useToyStore.getState().status,
    lastRetrainMs: () => useToyStore.getState().lastRetrainMs,
    lastRetrainFirstFrameMs: () => useToyStore.getState().lastRetrainFirstFrameMs,
    lastRetrainCached: () => useToyStore.getState().lastRetrainCached,
  };
  w.aoe.toy = api;
}

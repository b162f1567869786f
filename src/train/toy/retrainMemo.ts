/**
 * The toy worker's memo of finished retrains and its key rules, as an object Node tests reach. Retraining is
 * deterministic (seeded start, batches and perturbations), so the final weights of a retrain are a function of
 * the training settings (ε included) and the data: moving back to a setting seen before restores them instead of
 * training again. Display-only settings are left out of the key; the oldest entry goes first when full.
 */
import type { MlpWeights } from '../../models/mlp';
import type { ToyParams } from './params';

/** Display-only settings: they change neither a retrain's result nor the ε = 0 pane. */
export const DISPLAY_KEYS: readonly (keyof ToyParams)[] = [
  'live',
  'showOutliers',
  'showArrows',
  'showTest',
  'grid',
  'toyBackend',
];

/** Settings whose change leaves the ε = 0 pane valid: ε and the display-only ones. */
export const EPSILON_ONLY_KEYS: readonly (keyof ToyParams)[] = ['epsilon', ...DISPLAY_KEYS];

/** A finished retrain: its final weights, step count and last loss. */
export interface RetrainState {
  weights: MlpWeights;
  steps: number;
  loss: number;
}

export class RetrainMemo {
  private readonly entries = new Map<string, RetrainState>();
  /** @param capacity retrains kept (~18 kB each at 2-64-64-K). */
  constructor(readonly capacity = 64) {}

  /** The key of a retrain at `epsilon` under `params` on data version `dataVersion`. */
  static key(params: ToyParams, epsilon: number, dataVersion: number): string {
    const p: Partial<ToyParams> = { ...params, epsilon };
    for (const k of DISPLAY_KEYS) delete p[k];
    return `${dataVersion}|${JSON.stringify(p)}`;
  }

  get(key: string): RetrainState | undefined {
    return this.entries.get(key);
  }

  /** Store (as the newest entry), dropping the oldest beyond capacity. */
  put(key: string, state: RetrainState): void {
    this.entries.delete(key);
    this.entries.set(key, state);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

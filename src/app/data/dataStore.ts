import { create } from 'zustand';
import type { DataMessage, DataProgress, DataSummary, Thumbs } from '../../worker/data/types';

/** The data panel's state. Components render it; intents live in dataActions.ts. */
export interface DataState {
  summary: DataSummary | null;
  /** Newest first. */
  messages: (DataMessage & { id: number })[];
  /** The running long call, if any. */
  busy: { label: string; progress: DataProgress | null } | null;
  /** Thumbnails per set key. */
  thumbs: Record<string, Thumbs>;
  /** Latent variance of the outlier preview / generation. */
  sigma2: number;
  /** Preview samples at `sigma2`. */
  sigmaThumbs: Thumbs | null;
  outlierCount: number;
  fitCount: number;
  components: number;
  seed: number;
}

export const useDataStore = create<DataState>(() => ({
  summary: null,
  messages: [],
  busy: null,
  thumbs: {},
  sigma2: 2,
  sigmaThumbs: null,
  outlierCount: 10000,
  fitCount: 2000,
  components: 32,
  seed: 1,
}));

let nextId = 1;
/** Prepends messages (keeps the 30 newest). */
export function pushMessages(ms: DataMessage[]): void {
  if (ms.length === 0) return;
  useDataStore.setState((s) => ({
    messages: [...ms.map((m) => ({ ...m, id: nextId++ })).reverse(), ...s.messages].slice(0, 30),
  }));
}

/**
 * `window.aoe.experiments`: the documented console/scripting surface of the Experiments area (every build). It
 * drives the same store the cards render, so a scripted run shows up in the UI and in IndexedDB.
 */
import { figureCsv } from '../../experiments/table';
import { rowsToCsv } from '../../experiments/csv';
import { EXPERIMENTS, experimentById } from '../../experiments/registry';
import { toResultsFile } from '../../experiments/results';
import type { ResultRow, ScaleName } from '../../experiments/types';
import { useCellScoresStore } from './cellScoresStore';
import { useExperimentsStore } from './store';

export interface ExperimentsScriptingApi {
  /** Every registered spec: id, title, paper reference, scales. */
  list(): { id: string; title: string; paperRef: string; scales: string[] }[];
  /** Run (or resume) a grid; resolves when it completes, is cancelled or fails. */
  run(id: string, o?: { scale?: ScaleName; seeds?: number[] }): Promise<'completed' | 'cancelled' | 'error'>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  /** Rows shown for a spec (yours + reference + paper), or all of yours. */
  rows(id?: string): ResultRow[];
  /** A spec's rows as 'csv' | 'json' (aoe-results) text, or the figure's plotted numbers ('figure-csv'). */
  export(id: string, format: 'csv' | 'json' | 'figure-csv'): string;
  /** A finished cell's per-sample scores as aoe-cell-scores CSV (README "Per-sample scores"). */
  scores(cellKey: string, scale: string): Promise<string>;
  /** Import results text (aoe-results JSON or CSV); returns the number of rows. */
  import(text: string, name?: string): Promise<number>;
  /** Delete your stored rows of a spec. */
  clear(id: string): Promise<void>;
}

function shown(id: string): ResultRow[] {
  const s = useExperimentsStore.getState();
  return [...s.referenceRows, ...s.userRows].filter((r) => r.experiment === id);
}

export function installExperimentsApi(): void {
  const w = window as unknown as { aoe?: Record<string, unknown> };
  w.aoe ??= {};
  const api: ExperimentsScriptingApi = {
    list: () =>
      EXPERIMENTS.map((s) => ({
        id: s.id,
        title: s.title,
        paperRef: s.paperRef,
        scales: Object.keys(s.scales),
      })),
    async run(id, o = {}) {
      experimentById(id);
      const st = useExperimentsStore.getState();
      if (!st.loaded) await st.init();
      st.setCard(id, {
        ...(o.scale ? { scale: o.scale } : {}),
        ...(o.seeds ? { seeds: o.seeds.join(',') } : {}),
      });
      return useExperimentsStore.getState().start(id);
    },
    pause: () => useExperimentsStore.getState().pause(),
    resume: () => useExperimentsStore.getState().resume(),
    cancel: () => useExperimentsStore.getState().cancel(),
    rows: (id) => (id ? shown(id) : [...useExperimentsStore.getState().userRows]),
    export(id, format) {
      const rows = shown(id);
      if (format === 'csv') return rowsToCsv(rows);
      if (format === 'json') return JSON.stringify(toResultsFile(rows, 'AOE Playground (browser)'));
      return figureCsv(experimentById(id), rows);
    },
    scores: (cellKey, scale) => useCellScoresStore.getState().csv(cellKey, scale),
    import: (text, name = 'script') => useExperimentsStore.getState().importFiles([{ name, text }]),
    clear: (id) => useExperimentsStore.getState().clearExperiment(id),
  };
  w.aoe.experiments = api;
}

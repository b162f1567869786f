/**
 * The Experiments area's state: the user's rows (IndexedDB), the read-only reference/paper rows
 * (public/reference/), per-card settings, and the one running grid with its progress. Components only render
 * this; every intent (run, pause, import, export) is an action here.
 */
import * as Comlink from 'comlink';
import { create } from 'zustand';
import { parseResultsText, referenceIndexFiles } from '../../experiments/importRows';
import { EXPERIMENTS, experimentById } from '../../experiments/registry';
import { paperRows } from '../../experiments/paperResults';
import { mergeRows } from '../../experiments/results';
import { seedsGrid } from '../../experiments/seeds';
import type { ExperimentProgress } from '../../experiments/run';
import type { ResultRow, Scalar, ScaleName } from '../../experiments/types';
import { computeWorker } from '../workerClient';
import { toyWorker } from '../toy/toyClient';
import { useToyStore } from '../toy/toyStore';
import { IdbResultsStore, type ActiveRun } from './idbResults';
import { cellScoresKey, type CellScores } from '../../experiments/cellScores';
import { useCellScoresStore } from './cellScoresStore';

export const resultsStore = new IdbResultsStore();

/** Toy grids run in the toy's own worker (single-threaded WASM by default: per-op overhead dominates a tiny
 * MLP), WRN grids in the compute worker. The running grid's worker, for pause/resume/cancel. */
let runningOn: ExperimentsWorkerApiRemote | null = null;
type ExperimentsWorkerApiRemote = ReturnType<typeof computeWorker>['experiments'];

async function workerFor(model: 'toy' | 'wrn'): Promise<ExperimentsWorkerApiRemote> {
  if (model === 'wrn') return computeWorker().experiments;
  const w = toyWorker(useToyStore.getState().params.toyBackend);
  await w.info;
  return w.remote.experiments;
}

export interface CardSettings {
  scale: ScaleName;
  /** Comma-separated seeds ('' = the spec's own). */
  seeds: string;
  view: 'figure' | 'rows';
}

export interface RunState extends ActiveRun {
  status: 'running' | 'paused' | 'cancelling';
  progress: ExperimentProgress | null;
}

export interface Notice {
  level: 'info' | 'error';
  text: string;
  /** The card it belongs to ('' = the area). */
  specId: string;
}

export interface ExperimentsState {
  loaded: boolean;
  userRows: ResultRow[];
  referenceRows: ResultRow[];
  cards: Record<string, CardSettings>;
  run: RunState | null;
  /** An unfinished grid found after a reload. */
  pendingResume: ActiveRun | null;
  notice: Notice | null;
  init(): Promise<void>;
  card(specId: string): CardSettings;
  setCard(specId: string, patch: Partial<CardSettings>): void;
  start(specId: string): Promise<'completed' | 'cancelled' | 'error'>;
  resumePending(): Promise<'completed' | 'cancelled' | 'error'>;
  discardPending(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  importFiles(files: { name: string; text: string }[]): Promise<number>;
  clearExperiment(specId: string): Promise<void>;
}

/** Where this browser runs, for the rows' provenance. */
function deviceLabel(): string {
  const ua = navigator.userAgent;
  const browser = /(Edg|Firefox|Chrome|Safari)\/([\d]+)/.exec(ua);
  const os = /Windows|Mac OS X|Linux|Android|iPhone/.exec(ua)?.[0] ?? 'unknown OS';
  return `${browser ? `${browser[1]} ${browser[2]}` : 'browser'} on ${os}, ${navigator.hardwareConcurrency} threads`;
}

async function loadReference(): Promise<{ rows: ResultRow[]; problems: string[] }> {
  const base = `${import.meta.env.BASE_URL}reference/`;
  let index: unknown;
  try {
    const r = await fetch(`${base}index.json`);
    if (!r.ok || (r.headers.get('content-type') ?? '').includes('text/html'))
      return { rows: [], problems: [] };
    index = await r.json();
  } catch {
    return { rows: [], problems: [] };
  }
  const rows: ResultRow[] = [];
  const problems: string[] = [];
  try {
    for (const f of referenceIndexFiles(index)) {
      try {
        const r = await fetch(`${base}${f}`);
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        rows.push(...parseResultsText(`reference/${f}`, await r.text()));
      } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
      }
    }
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
  return { rows, problems };
}

export const useExperimentsStore = create<ExperimentsState>((set, get) => {
  async function execute(active: ActiveRun): Promise<'completed' | 'cancelled' | 'error'> {
    if (get().run) throw new Error('An experiment is already running.');
    const spec = experimentById(active.specId);
    set({ run: { ...active, status: 'running', progress: null }, pendingResume: null, notice: null });
    await resultsStore.setActiveRun(active);
    const storeProxy = Comlink.proxy({
      rowsForCell: (cellKey: string, scale: string) => resultsStore.rowsForCell(cellKey, scale),
      add: (rows: ResultRow[]) => resultsStore.add(rows),
      addScores: (scores: CellScores) => useCellScoresStore.getState().add(scores),
    });
    const onProgress = Comlink.proxy((p: ExperimentProgress) =>
      set((s) => (s.run ? { run: { ...s.run, progress: p } } : {})),
    );
    const onRows = Comlink.proxy((rows: ResultRow[]) =>
      set((s) => ({ userRows: mergeRows(s.userRows, rows) })),
    );
    try {
      runningOn = await workerFor(spec.model);
      const r = await runningOn.run(
        { specId: active.specId, scale: active.scale, extraGrid: active.extraGrid, device: deviceLabel() },
        storeProxy,
        onProgress,
        onRows,
      );
      if (r.status !== 'error') await resultsStore.setActiveRun(null);
      const text =
        r.status === 'completed'
          ? `${spec.title}: all cells done (${r.rowCount} rows).`
          : r.status === 'cancelled'
            ? 'Cancelled. Finished cells are kept; running again continues from there.'
            : `Stopped: ${r.error}`;
      set({ notice: { level: r.status === 'error' ? 'error' : 'info', text, specId: spec.id } });
      return r.status;
    } catch (err) {
      set({
        notice: { level: 'error', text: err instanceof Error ? err.message : String(err), specId: spec.id },
      });
      return 'error';
    } finally {
      runningOn = null;
      set({ run: null });
    }
  }

  return {
    loaded: false,
    userRows: [],
    referenceRows: [],
    cards: {},
    run: null,
    pendingResume: null,
    notice: null,

    async init() {
      void useCellScoresStore.getState().init();
      const [rows, pending, ref] = await Promise.all([
        resultsStore.rows().catch(() => [] as ResultRow[]),
        resultsStore.activeRun().catch(() => null),
        loadReference(),
      ]);
      set({
        loaded: true,
        userRows: rows,
        // The paper's printed numbers (CIFAR-10 rows; the app's ID data) beside the committed reference runs.
        referenceRows: [...EXPERIMENTS.flatMap((e) => paperRows(e.id, 'cifar10')), ...ref.rows],
        pendingResume: get().run ? null : pending,
        notice: ref.problems.length
          ? { level: 'error', text: `Reference results: ${ref.problems.join('; ')}`, specId: '' }
          : get().notice,
      });
    },

    card(specId) {
      const spec = experimentById(specId);
      const scales = Object.keys(spec.scales) as ScaleName[];
      const dflt: CardSettings = {
        scale: scales.includes('quick') ? 'quick' : scales[0],
        seeds: '',
        view: 'figure',
      };
      return { ...dflt, ...get().cards[specId] };
    },

    setCard(specId, patch) {
      set((s) => ({ cards: { ...s.cards, [specId]: { ...get().card(specId), ...patch } } }));
    },

    async start(specId) {
      const c = get().card(specId);
      let extraGrid: Record<string, Scalar[]>;
      try {
        extraGrid = seedsGrid(c.seeds);
      } catch (err) {
        set({ notice: { level: 'error', text: (err as Error).message, specId } });
        return 'error';
      }
      return execute({ specId, scale: c.scale, extraGrid, startedAt: new Date().toISOString() });
    },

    async resumePending() {
      const p = get().pendingResume;
      if (!p) return 'error';
      get().setCard(p.specId, { scale: p.scale, seeds: (p.extraGrid.seed ?? []).join(',') });
      return execute(p);
    },

    async discardPending() {
      await resultsStore.setActiveRun(null);
      set({ pendingResume: null });
    },

    async pause() {
      const r = get().run;
      if (!r || r.status !== 'running') return;
      await runningOn?.pause();
      set({ run: { ...r, status: 'paused' } });
    },

    async resume() {
      const r = get().run;
      if (!r || r.status !== 'paused') return;
      await runningOn?.resume();
      set({ run: { ...r, status: 'running' } });
    },

    async cancel() {
      const r = get().run;
      if (!r) return;
      set({ run: { ...r, status: 'cancelling' } });
      await runningOn?.cancel();
    },

    async importFiles(files) {
      const all: ResultRow[] = [];
      try {
        for (const f of files) all.push(...parseResultsText(f.name, f.text));
      } catch (err) {
        set({ notice: { level: 'error', text: `Nothing imported. ${(err as Error).message}`, specId: '' } });
        return 0;
      }
      const known = all.filter((r) => {
        try {
          experimentById(r.experiment);
          return true;
        } catch {
          return false;
        }
      });
      await resultsStore.add(all);
      set((s) => ({
        userRows: mergeRows(s.userRows, all),
        notice: {
          level: 'info',
          text:
            `Imported ${all.length} rows from ${files.map((f) => f.name).join(', ')}.` +
            (known.length < all.length
              ? ` ${all.length - known.length} belong to experiments this app does not know; they are stored but not shown.`
              : ''),
          specId: '',
        },
      }));
      return all.length;
    },

    async clearExperiment(specId) {
      const n = await resultsStore.deleteExperiment(specId);
      // Scores of cells that no remaining row refers to go too (a shared cell keeps them).
      const left = (await resultsStore.rows()).map((r) => cellScoresKey(r.cellKey, r.scale));
      await useCellScoresStore.getState().prune(new Set(left));
      set((s) => ({
        userRows: s.userRows.filter((r) => r.experiment !== specId),
        notice: { level: 'info', text: `Deleted ${n} stored rows of ${specId}.`, specId },
      }));
    },
  };
});

import * as Comlink from 'comlink';
import { create } from 'zustand';
import { parseToyCsv, toyPointsToCsv } from '../../data/toyCsv';
import type { ToyPoints } from '../../data/toy2d';
import { decodePoints, encodePoints } from '../../train/toy/data';
import {
  defaultToyParams,
  mergeToyParams,
  toyParamsFromQuery,
  toyParamsToQuery,
  type ToyParams,
} from '../../train/toy/params';
import { distributeSweep, sweepJobs, type SweepPoint } from '../../train/toy/sweep';
import type { BackendInfo } from '../../worker/backend';
import type { ToyDataView, ToyFrame } from '../../worker/toyApi';
import { sweepWorkerCount, toySweepHelpers, toyWorker } from './toyClient';

export type ToyStatus = 'starting' | 'idle' | 'retraining' | 'playing' | 'training' | 'sweeping';

/** The toy panel's state. Components render it and call its intents; the worker does all the math. */
export interface ToyState {
  params: ToyParams;
  status: ToyStatus;
  frame: ToyFrame | null;
  data: ToyDataView | null;
  dataVersion: number;
  backend: BackendInfo | null;
  error: string | null;
  /** A message about the last CSV load or other user action (e.g. a bad line). */
  notice: string | null;
  sweep: { points: SweepPoint[]; done: number; total: number; running: boolean } | null;
  /** Time from the last slider release to the retrained landscape on screen (ms). */
  lastRetrainMs: number | null;
  /** Time from the last slider release to the first partially retrained landscape on screen (ms). */
  lastRetrainFirstFrameMs: number | null;
  /** Whether the last retrain was answered from the worker's memo (an ε visited before). */
  lastRetrainCached: boolean | null;
  /** Increments on every frame the canvas should draw. */
  frameCount: number;
  /**
   * The frame the charts show: every final frame, otherwise at most one per second (recharts re-renders cost tens
   * of ms of main-thread time; the canvases take every frame).
   */
  chartFrame: ToyFrame | null;
  /** Class a click on the canvas adds (shift-click adds the next class). */
  brush: number;
  setBrush(c: number): void;

  init(): Promise<void>;
  /**
   * Change settings. `commit: false` (while a slider is dragged) updates the URL and, in continuous mode, the
   * running training; `commit: true` (on release / for discrete controls) also retrains in retrain mode.
   */
  setParams(partial: Partial<ToyParams>, opts?: { commit?: boolean }): Promise<void>;
  play(): Promise<void>;
  pause(): Promise<void>;
  step(n?: number): Promise<void>;
  reset(): Promise<void>;
  retrain(): Promise<void>;
  /** Send the current settings to the worker and redraw without training. */
  refresh(): Promise<void>;
  runSweep(): Promise<void>;
  cancelSweep(): Promise<void>;
  addPoint(x: number, y: number, otherClass: boolean): Promise<void>;
  clearPoints(): Promise<void>;
  loadCsv(text: string): Promise<void>;
  csv(): string;
  dismissNotice(): void;
}

function readUrl(): ToyParams {
  const q: Record<string, string> = {};
  new URLSearchParams(location.search).forEach((v, k) => (q[k] = v));
  return toyParamsFromQuery(q);
}

/** Write the toy's keys into the URL, keeping other panels' keys (e.g. `backend`). */
function writeUrl(p: ToyParams): void {
  const url = new URL(location.href);
  const d = defaultToyParams();
  for (const k of [...Object.keys(d), 'tv']) url.searchParams.delete(k);
  for (const [k, v] of Object.entries(toyParamsToQuery(p))) url.searchParams.set(k, v);
  history.replaceState(history.state, '', url);
}

const remote = () => toyWorker(useToyStore.getState().params.toyBackend).remote.toy;
/** The workers running the current sweep (empty when none runs). */
let sweepRemotes: ReturnType<typeof remote>[] = [];
/** Set by cancelSweep: no further sweep jobs are handed out (running ones are cancelled in their workers). */
let sweepCancelled = false;

export const useToyStore = create<ToyState>((set, get) => {
  /** Accept a frame from the worker (keeping the last data when the frame carries none). */
  let lastChart = 0;
  const accept = (f: ToyFrame | null) => {
    if (!f) return;
    const now = performance.now();
    const chart = f.final || now - lastChart > 1000;
    if (chart) lastChart = now;
    set((s) => ({
      frame: f,
      chartFrame: chart ? f : s.chartFrame,
      data: f.data ?? s.data,
      dataVersion: f.dataVersion,
      frameCount: s.frameCount + 1,
    }));
  };
  const fail = (err: unknown) =>
    set({ error: err instanceof Error ? err.message : String(err), status: 'idle' });
  const onFrame = Comlink.proxy((f: ToyFrame) => accept(f));

  /** Send params to the worker; restart play when the data/model were rebuilt under it. */
  const push = async () => {
    const { rebuilt } = await remote().setParams(get().params);
    return rebuilt;
  };

  const retrainNow = async () => {
    const t0 = performance.now();
    let first = true;
    set({ status: 'retraining' });
    const onPartial = Comlink.proxy((f: ToyFrame) => {
      accept(f);
      if (!first) return;
      first = false;
      requestAnimationFrame(() => set({ lastRetrainFirstFrameMs: performance.now() - t0 }));
    });
    try {
      const f = await remote().retrain(onPartial, get().dataVersion);
      if (!f) return; // superseded by a newer call, which owns the status
      accept(f);
      // The frame is on screen after the next paint.
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      set({ status: 'idle', lastRetrainMs: performance.now() - t0, lastRetrainCached: !!f.cached });
    } catch (err) {
      fail(err);
    }
  };

  return {
    params: readUrl(),
    status: 'starting',
    frame: null,
    data: null,
    dataVersion: -1,
    backend: null,
    error: null,
    notice: null,
    sweep: null,
    lastRetrainMs: null,
    lastRetrainFirstFrameMs: null,
    lastRetrainCached: null,
    frameCount: 0,
    chartFrame: null,
    brush: 0,
    setBrush: (c) => set({ brush: c }),

    async init() {
      try {
        const w = toyWorker(get().params.toyBackend);
        set({ backend: await w.info, error: null });
        writeUrl(get().params);
        await push();
        await retrainNow();
      } catch (err) {
        fail(err);
      }
    },

    async setParams(partial, opts = {}) {
      const commit = opts.commit ?? true;
      const prev = get().params;
      const { params } = mergeToyParams(prev, partial);
      set({ params });
      writeUrl(params);
      if (params.toyBackend !== prev.toyBackend) {
        set({ status: 'starting', data: null, dataVersion: -1 });
        return get().init();
      }
      const status = get().status;
      if (!commit && !(params.live === 'continuous' && status === 'playing')) return;
      try {
        const rebuilt = await push();
        if (status === 'playing') {
          if (rebuilt !== 'none') void get().play();
          return;
        }
        if (status === 'sweeping') return;
        if (params.live === 'retrain') await retrainNow();
        else accept(await remote().frame(get().dataVersion));
      } catch (err) {
        fail(err);
      }
    },

    async play() {
      set({ status: 'playing' });
      try {
        await remote().play(onFrame, 150, get().dataVersion);
      } catch (err) {
        fail(err);
      }
      if (get().status === 'playing') set({ status: 'idle' });
    },

    async pause() {
      await remote().pause();
      set({ status: 'idle' });
      accept(await remote().frame(get().dataVersion));
    },

    async step(n = 10) {
      set({ status: 'training' });
      try {
        accept(await remote().trainSteps(n, get().dataVersion));
        set({ status: 'idle' });
      } catch (err) {
        fail(err);
      }
    },

    async reset() {
      try {
        await remote().pause();
        accept(await remote().reset());
        set({ status: 'idle' });
      } catch (err) {
        fail(err);
      }
    },

    retrain: () => retrainNow(),

    async refresh() {
      try {
        await push();
        accept(await remote().frame(get().dataVersion));
      } catch (err) {
        fail(err);
      }
    },

    async runSweep() {
      set({ status: 'sweeping', sweep: { points: [], done: 0, total: 1, running: true } });
      sweepCancelled = false;
      try {
        // The runs are independent: spread them over the toy worker and helper workers (one per core).
        const backend = get().params.toyBackend;
        const helpers = await toySweepHelpers(backend, sweepWorkerCount() - 1);
        await Promise.all(helpers.map((h) => h.toy.setParams(get().params)));
        sweepRemotes = [remote(), ...helpers.map((h) => h.toy)];
        const points = await distributeSweep(
          sweepJobs(),
          sweepRemotes.map((r) => (job) => (sweepCancelled ? Promise.resolve(null) : r.sweepJob(job))),
          (pts, done, total) => set({ sweep: { points: pts, done, total, running: true } }),
        );
        const s = get().sweep;
        set({ sweep: { points, done: s?.done ?? 0, total: s?.total ?? 0, running: false }, status: 'idle' });
      } catch (err) {
        fail(err);
      } finally {
        sweepRemotes = [];
      }
    },

    async cancelSweep() {
      sweepCancelled = true;
      await Promise.all([remote(), ...sweepRemotes].map((r) => r.cancel()));
    },

    async addPoint(x, y, otherClass) {
      const p = get().params;
      const pts = decodePoints(p.pts);
      const k = get().data?.numClasses ?? 1;
      const brush = get().brush;
      const label = otherClass ? (brush + 1) % Math.max(2, k) : brush;
      const next: ToyPoints = {
        x: Float32Array.from([...pts.x, x, y]),
        y: Int32Array.from([...pts.y, label]),
        numClasses: 0,
      };
      await get().setParams({ pts: encodePoints(next) });
    },

    async clearPoints() {
      const p = get().params;
      await get().setParams({ pts: '', dataset: p.dataset === 'custom' ? 'blobs' : p.dataset });
    },

    async loadCsv(text) {
      const r = parseToyCsv(text);
      if (!r.ok) {
        set({ notice: `CSV not loaded (nothing changed): ${r.error}` });
        return;
      }
      set({ notice: `Loaded ${r.points.y.length} points in ${r.points.numClasses} classes from CSV.` });
      await get().setParams({ dataset: 'custom', pts: encodePoints(r.points), classes: r.points.numClasses });
    },

    csv() {
      const d = get().data;
      return d ? toyPointsToCsv(d.train) : 'x,y,label\n';
    },

    dismissNotice: () => set({ notice: null }),
  };
});

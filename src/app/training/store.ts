import * as Comlink from 'comlink';
import { create } from 'zustand';
import { DEFAULT_CONFIG, PAPER_CONFIG, PRETRAIN_CONFIG, type ExperimentConfig } from '../../train/config';
import { configFromUrl, writeConfigToUrl } from './urlState';
import type { CurvePoint } from '../../train/checkpoint';
import { DEFAULT_CADENCE, validateCadence, type CheckpointCadence } from '../../train/checkpointCadence';
import type { EvaluationResult } from '../../train/evaluate';
import type { TrainProgress } from '../../train/loop';
import type { BackendName } from '../../worker/backend';
import type { TrainStatus, TrainUpdate, TrainWorkerApi } from '../../worker/trainApi';
import {
  computeWorker,
  forcedBackend,
  onWorkerFault,
  restartWorker,
  unlessWorkerDies,
} from '../workerClient';
import { restoreData } from '../data/dataActions';
import { downloadBlob } from '../experiments/figureExport';
import { requestPersistentStorage, waitForResumable } from './resumeWait';

export type Phase = 'idle' | 'loading' | 'running' | 'evaluating' | 'exporting';
export type StartFrom = 'current' | 'pretrained' | 'file';

export interface TrainingState {
  status: TrainStatus | null;
  config: ExperimentConfig;
  phase: Phase;
  progress: TrainProgress | null;
  curve: CurvePoint[];
  message: string | null;
  error: string | null;
  /** Something went wrong that did not stop the run (an uncaught worker error the worker survived). */
  warning: string | null;
  /** What a resume waits for (data still loading), or null. */
  waiting: string | null;
  /** Extra checkpoints by steps and wall-clock time. */
  cadence: CheckpointCadence;
  /** Whether the browser granted persistent storage (null = not asked or not supported). */
  persisted: boolean | null;
  evalBefore: EvaluationResult | null;
  evalAfter: EvaluationResult | null;
  /** Images per set used by "Evaluate" (0 = all). */
  evalLimit: number;
  setConfig(patch: Partial<ExperimentConfig>): void;
  applyPreset(name: 'paper' | 'browser' | 'pretrain'): void;
  setEvalLimit(n: number): void;
  setCadence(patch: Partial<CheckpointCadence>): void;
  init(): Promise<void>;
  /** Re-read data/model/checkpoint status (e.g. after the Data panel changed what is loaded). */
  refresh(): Promise<void>;
  newModel(): Promise<void>;
  /** Back to the bundled pretrained WRN-16-2 (so OE and AOE runs start from the same weights without a reload). */
  resetToPretrained(): Promise<void>;
  /**
   * What each training run starts from: the weights loaded now, the bundled pretrained WRN-16-2 (reloaded before
   * every run), or a weights file (loaded and validated before every run), so OE and AOE start from the same
   * weights without reloading the page.
   */
  startFrom: StartFrom;
  /** The file "file" starts from (its name is shown; the bytes are read before each run). */
  startFile: File | null;
  setStartFrom(from: StartFrom, file?: File | null): void;
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  /** Continue a checkpoint (the newest unfinished one by default); waits until the data it needs is loaded. */
  resumeCheckpoint(runId?: string): Promise<void>;
  discardCheckpoint(runId?: string): Promise<void>;
  evaluate(): Promise<void>;
  exportWeights(format: 'tfjs-zip' | 'safetensors'): Promise<void>;
  importWeights(file: File): Promise<void>;
  forceBackend(choice: BackendName | null): Promise<void>;
}

const CADENCE_KEY = 'aoe-playground:checkpoint-cadence';
/** The cadence chosen last time (kept across reloads), else the default. */
function savedCadence(): CheckpointCadence {
  try {
    const c = JSON.parse(localStorage.getItem(CADENCE_KEY) ?? 'null') as CheckpointCadence | null;
    if (c && validateCadence(c).length === 0)
      return { everySteps: c.everySteps, everySeconds: c.everySeconds };
  } catch {
    // unreadable: use the default
  }
  return { ...DEFAULT_CADENCE };
}

/** Comlink proxies nested objects at run time; its types only do that for ProxyMarked values, hence the cast. */
const train = () => computeWorker().train as unknown as Comlink.Remote<TrainWorkerApi>;
const msg = (err: unknown) => (err instanceof Error ? err.message : String(err));

const download = (fileName: string, bytes: Uint8Array): void =>
  downloadBlob(fileName, new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));

export const useTrainingStore = create<TrainingState>((set, get) => {
  /** Run a worker call with a phase and turn failures into a visible error. */
  async function guarded(phase: Phase, fn: () => Promise<void>): Promise<void> {
    set({ phase, error: null, message: null }); // an old "Exported …" must not sit beside a new error
    try {
      await fn();
    } catch (err) {
      set({ error: msg(err) });
    } finally {
      set({ phase: 'idle' });
    }
  }

  let statusRefresh: Promise<void> | null = null;
  const onUpdate = Comlink.proxy((u: TrainUpdate) => {
    set((s) => ({ progress: u.progress, curve: u.points.length ? [...s.curve, ...u.points] : s.curve }));
    // The first update of a run: show the weights it trains (a resume replaced them) and its checkpoint list.
    if (!get().status?.running && !statusRefresh)
      statusRefresh = train()
        .status()
        .then((status) => {
          if (get().phase === 'running') set({ status });
        })
        .finally(() => (statusRefresh = null));
  });

  async function afterRun(final: TrainProgress): Promise<void> {
    set({ progress: final, status: await train().status() });
    if (final.status === 'error') set({ error: final.error ?? 'Training failed.' });
    if (final.status === 'completed') set({ message: 'Training finished. Evaluate or export the weights.' });
    if (final.status === 'cancelled')
      set({
        message:
          final.checkpointStep === final.step
            ? `Cancelled; checkpoint at step ${final.checkpointStep} kept — resume continues from it.`
            : `Cancelled at step ${final.step}; the last checkpoint saved is at step ${final.checkpointStep}.`,
      });
  }

  /** Set by a fault handler while a run's worker died, so the run's own catch does not add a second error. */
  let diedDuringRun = false;

  /** Run a training call (start or resume) until it ends, or until its worker dies. */
  async function runJob(call: () => Promise<TrainProgress>): Promise<void> {
    diedDuringRun = false;
    try {
      await afterRun(await unlessWorkerDies(call()));
    } catch (err) {
      if (!diedDuringRun) set({ error: msg(err) });
    }
    if (!diedDuringRun) set({ phase: 'idle' });
  }

  /**
   * The worker died: say what was lost, start a fresh worker, reload the data (from IndexedDB) and the model,
   * and offer to resume from the newest checkpoint.
   */
  async function recover(message: string): Promise<void> {
    const p = get().progress;
    const wasRunning = get().phase === 'running' && p !== null && p.status !== 'completed';
    diedDuringRun = get().phase === 'running';
    const at = wasRunning ? ` at step ${p.step} of ${p.totalSteps}` : '';
    set({
      error: `${message}${at}. Restarting the worker and reloading the data…`,
      phase: 'loading',
      warning: null,
      message: null,
      progress: wasRunning ? { ...p, status: 'error', error: message } : p,
    });
    try {
      await restartWorker(forcedBackend());
      await restoreData();
      let status = await train().status();
      if (!status.model) status = (await train().loadPretrained()).status;
      const cp = status.checkpoint;
      const lost =
        wasRunning && cp?.id === p.runId
          ? ` ${p.step - cp.step} step(s) since the checkpoint at step ${cp.step} were lost; “Resume training” continues from it.`
          : cp
            ? ' “Resume training” continues from the newest checkpoint.'
            : wasRunning
              ? ' No checkpoint of this run had been written yet.'
              : '';
      set({ status, error: `${message}${at}. The worker was restarted and the data reloaded.${lost}` });
    } catch (err) {
      set({ error: `${message}${at}. Restarting the worker failed too (${msg(err)}): reload the page.` });
    } finally {
      set({ phase: 'idle' });
    }
  }

  onWorkerFault((f) => {
    if (f.kind === 'died') void recover(f.message);
    else
      set({
        warning:
          get().phase === 'running'
            ? `${f.message}. The worker survived it: the run goes on, and Pause / Cancel still work.`
            : `${f.message}. The worker survived it and is still running.`,
      });
  });

  let waitAbort: AbortController | null = null;

  return {
    status: null,
    config: configFromUrl(),
    phase: 'idle',
    progress: null,
    curve: [],
    message: null,
    error: null,
    warning: null,
    waiting: null,
    cadence: savedCadence(),
    persisted: null,
    evalBefore: null,
    evalAfter: null,
    evalLimit: 1000,
    setConfig: (patch) => set((s) => ({ config: { ...s.config, ...patch } })),
    applyPreset: (name) =>
      set((s) => ({
        config: {
          ...(name === 'paper' ? PAPER_CONFIG : name === 'pretrain' ? PRETRAIN_CONFIG : DEFAULT_CONFIG),
          backend: s.config.backend,
          model:
            name === 'paper'
              ? s.config.model
              : (name === 'pretrain' ? PRETRAIN_CONFIG : DEFAULT_CONFIG).model,
        },
      })),
    setEvalLimit: (n) => set({ evalLimit: n }),
    setCadence: (patch) =>
      set((s) => {
        const cadence = { ...s.cadence, ...patch };
        localStorage.setItem(CADENCE_KEY, JSON.stringify(cadence));
        return { cadence };
      }),
    init: () =>
      guarded('loading', async () => {
        let status = await train().status();
        if (!status.model) {
          const r = await train().loadPretrained();
          status = r.status;
          set({ message: r.message });
        }
        set({ status });
      }),
    refresh: async () => {
      // A read: also while weights load, so the data line never lags what evaluation will use.
      if (get().phase !== 'running') set({ status: await train().status() });
    },
    newModel: () =>
      guarded('loading', async () => {
        const c = get().config;
        set({
          status: await train().newModel(c.model, c.seed, c.dropRate),
          evalBefore: null,
          evalAfter: null,
        });
      }),
    resetToPretrained: () =>
      guarded('loading', async () => {
        const r = await train().loadPretrained();
        set({ status: r.status, message: r.message, evalBefore: null, evalAfter: null });
      }),
    startFrom: 'current',
    startFile: null,
    setStartFrom: (from, file) =>
      set((s) => ({ startFrom: from, startFile: file === undefined ? s.startFile : file })),
    start: async () => {
      const { startFrom, startFile } = get();
      if (startFrom !== 'current') {
        set({ phase: 'loading', error: null, message: null });
        try {
          if (startFrom === 'pretrained') {
            const r = await train().loadPretrained();
            if (!r.status.model) throw new Error(r.message);
            set({ status: r.status });
          } else {
            if (!startFile)
              throw new Error('Choose the weights file the run starts from (or another start).');
            const bytes = new Uint8Array(await startFile.arrayBuffer());
            const status = await train().importWeights(
              startFile.name,
              Comlink.transfer(bytes, [bytes.buffer]),
            );
            set({ status });
          }
          set({ evalBefore: null });
        } catch (err) {
          set({ phase: 'idle', error: `Could not load the start weights: ${msg(err)}` });
          return;
        }
      }
      set({
        phase: 'running',
        error: null,
        warning: null,
        message: null,
        curve: [],
        progress: null,
        evalAfter: null,
      });
      set({ persisted: await requestPersistentStorage() });
      await runJob(() => train().start(get().config, onUpdate, get().cadence));
    },
    pause: async () => train().pause(),
    resume: async () => train().resume(),
    cancel: async () => {
      if (waitAbort) waitAbort.abort();
      else await train().cancel();
    },
    resumeCheckpoint: async (runId) => {
      const cp = runId ? get().status?.checkpoints.find((c) => c.id === runId) : get().status?.checkpoint;
      if (!cp) return;
      set({ phase: 'loading', error: null, warning: null, message: null, progress: null });
      waitAbort = new AbortController();
      try {
        // Resume only once the data it needs is there (after a reload the Data panel is still loading).
        const warnings = await waitForResumable(
          cp,
          (id) => train().checkResume(id),
          waitAbort.signal,
          (w) => {
            set({ waiting: w });
            void train()
              .status()
              .then((status) => set({ status })); // show what is loaded while waiting
          },
        );
        if (warnings.length) set({ warning: `${warnings.join(' ')} The run continues on the loaded data.` });
      } catch (err) {
        set({ phase: 'idle', waiting: null, error: msg(err) });
        return;
      } finally {
        waitAbort = null;
        set({ waiting: null });
      }
      set({ phase: 'running', curve: cp.curve, config: cp.config });
      set({ persisted: await requestPersistentStorage() });
      await runJob(() => train().resumeCheckpoint(onUpdate, get().cadence, cp.id));
    },
    discardCheckpoint: (runId) =>
      guarded('loading', async () => {
        set({ status: await train().discardCheckpoint(runId) });
      }),
    evaluate: () =>
      guarded('evaluating', async () => {
        const r = await train().evaluate(get().evalLimit);
        const trained = get().status?.model?.source === 'trained';
        set(trained ? { evalAfter: r } : { evalBefore: r, evalAfter: null });
      }),
    exportWeights: (format) =>
      guarded('exporting', async () => {
        const { fileName, bytes } = await train().exportWeights(format);
        download(fileName, bytes);
        set({ message: `Exported ${fileName} (${(bytes.byteLength / 1e6).toFixed(2)} MB).` });
      }),
    importWeights: (file) =>
      guarded('loading', async () => {
        const bytes = new Uint8Array(await file.arrayBuffer());
        const status = await train().importWeights(file.name, Comlink.transfer(bytes, [bytes.buffer]));
        set({ status, message: `Imported ${file.name}.`, evalBefore: null, evalAfter: null });
      }),
    forceBackend: (choice) =>
      guarded('loading', async () => {
        await restartWorker(choice);
        set({ status: null, progress: null, curve: [] });
        let status = await train().status();
        if (!status.model) status = (await train().loadPretrained()).status;
        set({ status, config: { ...get().config, backend: choice ?? 'auto' } });
      }),
  };
});

// Keep the URL in step with the form (a copied link restores the run config).
useTrainingStore.subscribe((s, prev) => {
  if (s.config !== prev.config) writeConfigToUrl(s.config);
});

/** Small test API for e2e (tldraw style): eval-mode logits of the first n ID test images. */
declare global {
  interface Window {
    __aoeTrain?: {
      testLogits(n: number): Promise<number[]>;
      bench: TrainWorkerApi['bench'];
      memory: TrainWorkerApi['memory'];
    };
  }
}
// Test builds only (`vite build --mode e2e`): the worker leaves these calls out of production builds too.
if (import.meta.env.MODE === 'e2e')
  window.__aoeTrain = {
    testLogits: async (n) => Array.from(await train().testLogits(n)),
    bench: (o) => train().bench(o),
    memory: () => train().memory(),
  };

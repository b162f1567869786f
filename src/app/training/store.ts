import * as Comlink from 'comlink';
import { create } from 'zustand';
import { DEFAULT_CONFIG, PAPER_CONFIG, PRETRAIN_CONFIG, type ExperimentConfig } from '../../train/config';
import type { CurvePoint } from '../../train/checkpoint';
import type { EvaluationResult } from '../../train/evaluate';
import type { TrainProgress } from '../../train/loop';
import type { BackendName } from '../../worker/backend';
import type { TrainStatus, TrainUpdate, TrainWorkerApi } from '../../worker/trainApi';
import { computeWorker, onWorkerCrash, restartWorker } from '../workerClient';

export type Phase = 'idle' | 'loading' | 'running' | 'evaluating' | 'exporting';

export interface TrainingState {
  status: TrainStatus | null;
  config: ExperimentConfig;
  phase: Phase;
  progress: TrainProgress | null;
  curve: CurvePoint[];
  message: string | null;
  error: string | null;
  evalBefore: EvaluationResult | null;
  evalAfter: EvaluationResult | null;
  /** Images per set used by "Evaluate" (0 = all). */
  evalLimit: number;
  setConfig(patch: Partial<ExperimentConfig>): void;
  applyPreset(name: 'paper' | 'browser' | 'pretrain'): void;
  setEvalLimit(n: number): void;
  init(): Promise<void>;
  /** Re-read data/model/checkpoint status (e.g. after the Data panel changed what is loaded). */
  refresh(): Promise<void>;
  newModel(): Promise<void>;
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
  resumeCheckpoint(): Promise<void>;
  discardCheckpoint(): Promise<void>;
  evaluate(): Promise<void>;
  exportWeights(format: 'tfjs-zip' | 'safetensors'): Promise<void>;
  importWeights(file: File): Promise<void>;
  forceBackend(choice: BackendName | null): Promise<void>;
}

/** Comlink proxies nested objects at run time; its types only do that for ProxyMarked values, hence the cast. */
const train = () => computeWorker().train as unknown as Comlink.Remote<TrainWorkerApi>;
const msg = (err: unknown) => (err instanceof Error ? err.message : String(err));

function download(fileName: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const useTrainingStore = create<TrainingState>((set, get) => {
  /** Run a worker call with a phase and turn failures into a visible error. */
  async function guarded(phase: Phase, fn: () => Promise<void>): Promise<void> {
    set({ phase, error: null });
    try {
      await fn();
    } catch (err) {
      set({ error: msg(err) });
    } finally {
      set({ phase: 'idle' });
    }
  }

  const onUpdate = Comlink.proxy((u: TrainUpdate) => {
    set((s) => ({ progress: u.progress, curve: u.points.length ? [...s.curve, ...u.points] : s.curve }));
  });

  async function afterRun(final: TrainProgress): Promise<void> {
    set({ progress: final, status: await train().status() });
    if (final.status === 'error') set({ error: final.error ?? 'Training failed.' });
    if (final.status === 'completed') set({ message: 'Training finished. Evaluate or export the weights.' });
    if (final.status === 'cancelled')
      set({
        message: `Cancelled; checkpoint at step ${final.checkpointStep} kept — resume continues from it.`,
      });
  }

  onWorkerCrash((m) =>
    set({ error: `${m}. Checkpoints in this browser are kept; restart to resume.`, phase: 'idle' }),
  );

  return {
    status: null,
    config: { ...DEFAULT_CONFIG },
    phase: 'idle',
    progress: null,
    curve: [],
    message: null,
    error: null,
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
      if (get().phase === 'idle') set({ status: await train().status() });
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
    start: async () => {
      set({ phase: 'running', error: null, message: null, curve: [], progress: null, evalAfter: null });
      try {
        await afterRun(await train().start(get().config, onUpdate));
      } catch (err) {
        set({ error: msg(err) });
      }
      set({ phase: 'idle' });
    },
    pause: async () => train().pause(),
    resume: async () => train().resume(),
    cancel: async () => train().cancel(),
    resumeCheckpoint: async () => {
      const cp = get().status?.checkpoint;
      set({
        phase: 'running',
        error: null,
        message: null,
        curve: cp?.curve ?? [],
        config: cp?.config ?? get().config,
      });
      try {
        await afterRun(await train().resumeCheckpoint(onUpdate));
      } catch (err) {
        set({ error: msg(err) });
      }
      set({ phase: 'idle' });
    },
    discardCheckpoint: () =>
      guarded('loading', async () => {
        set({ status: await train().discardCheckpoint() });
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

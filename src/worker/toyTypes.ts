/** Types of the toy worker API (`remote.toy.*`, implemented in toyApi.ts). */
import type { BackendInfo, BackendName } from './backend';
import type { ToyEvaluation } from '../train/toy/evaluate';
import type { ToyParams } from '../train/toy/params';
import type { SweepJob, SweepPoint } from '../train/toy/sweep';
import type { ToyPoints } from '../data/toy2d';

/** What the view draws: the two runs' evaluations and (when it changed) the data. */
export interface ToyFrame {
  main: ToyEvaluation;
  baseline: ToyEvaluation | null;
  /** Increments whenever the data are rebuilt; `data` is present when it differs from the caller's last. */
  dataVersion: number;
  data?: ToyDataView;
  /** True for the last frame of a finished retrain / trainSteps call. */
  final: boolean;
  /** Wall time of the call so far in the worker (ms). */
  elapsedMs: number;
  /** True when the retrain was answered from the worker's memo of earlier retrains (no training ran). */
  cached?: boolean;
  /** Method and ε of `main` when this frame was evaluated. */
  method: ToyParams['method'];
  epsilon: number;
}

/** The plain data the canvas draws. */
export interface ToyDataView {
  train: ToyPoints;
  outliers: Float32Array;
  testNear: Float32Array;
  testFar: Float32Array;
  numClasses: number;
}

export interface ToyWorkerApi {
  /**
   * Choose the toy's engine. `wasm` (default): the fast engine, hand-written WebAssembly SIMD kernels for the whole
   * MLP step (no tfjs; falls back to tfjs-wasm if SIMD is missing). cpu | webgl | webgpu: the tfjs reference
   * engine on that tfjs backend (single-threaded; for a net this small threads only add synchronisation).
   */
  init(backend: BackendName): Promise<BackendInfo>;
  /**
   * Apply settings; rebuilds data / weights only when keys that need it changed (which stops a running loop).
   * Other changes (ε, λ, …) apply to a running `play` from its next slice.
   */
  setParams(p: ToyParams): Promise<{ dataVersion: number; rebuilt: 'data' | 'model' | 'none' }>;
  /** Both runs back to the seeded initial weights (step 0). */
  reset(): Promise<ToyFrame>;
  /** Train both runs `n` more steps, then evaluate. */
  trainSteps(n: number, knownDataVersion?: number): Promise<ToyFrame>;
  /** Evaluate without training. */
  frame(knownDataVersion?: number): Promise<ToyFrame>;
  /**
   * Reset `main` (and `baseline` when it is stale) to the initial weights and train `params.steps` steps, sending
   * intermediate frames to `onFrame` a few times a second; resolves with the final frame, or null if superseded.
   */
  retrain(onFrame: ((f: ToyFrame) => void) | null, knownDataVersion?: number): Promise<ToyFrame | null>;
  /** Keep training until `pause()`, sending a frame every `frameMs` ms. Resolves when stopped. */
  play(onFrame: (f: ToyFrame) => void, frameMs?: number, knownDataVersion?: number): Promise<void>;
  pause(): Promise<void>;
  /** ε sweep (AOE and OE+noise at ε = 0…1) in this worker; progress via `onProgress`; stopped by `cancel()`. */
  sweep(onProgress: (points: SweepPoint[], done: number, total: number) => void): Promise<SweepPoint[]>;
  /**
   * One run of a sweep under the current settings (the app hands jobs of one sweep to several workers);
   * null when `cancel()` stopped it.
   */
  sweepJob(job: SweepJob): Promise<SweepPoint[] | null>;
  /** Stop whatever long call runs (retrain, play, sweep). */
  cancel(): Promise<void>;
}

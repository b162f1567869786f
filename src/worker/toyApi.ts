/// <reference lib="webworker" />
/**
 * The toy landscape's worker API (`remote.toy.*`). It owns the data and two runs trained from the same seeded
 * start: `main` (the chosen method and ε) and `baseline` (identical but ε = 0, i.e. plain OE for every outlier
 * method), so the panes differ only in ε. Every long call is superseded by the next one (a generation counter)
 * or stopped by `pause()` / `cancel()`; frames are throttled and their typed arrays transferred.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendInfo, type BackendName } from './backend';
import { buildToyData, type ToyData } from '../train/toy/data';
import type { ToyEvaluation } from '../train/toy/evaluate';
import { DATA_KEYS, MODEL_KEYS, type ToyParams } from '../train/toy/params';
import { epsilonSweep, runSweepJob, type SweepJob, type SweepPoint } from '../train/toy/sweep';
import {
  createToyRun,
  fastEngineUnavailable,
  toyRunStart,
  type AnyToyRun,
  type ToyEngine,
} from '../train/toy/engines';

import type { ToyFrame, ToyWorkerApi } from './toyTypes';
import { throttle } from '../train/throttle';
import { EPSILON_ONLY_KEYS, RetrainMemo } from '../train/toy/retrainMemo';
export type { ToyDataView, ToyFrame, ToyWorkerApi } from './toyTypes';

const yieldToMessages = () => new Promise<void>((r) => setTimeout(r, 0));

class ToySession implements ToyWorkerApi {
  private params: ToyParams | null = null;
  private data: ToyData | null = null;
  private dataVersion = 0;
  private main: AnyToyRun | null = null;
  private baseline: AnyToyRun | null = null;
  private engine: ToyEngine = 'fast';
  /** Whether `baseline` is trained to `params.steps` from the current start (retrain mode). */
  private baselineFresh = false;
  private generation = 0;
  /**
   * Memo of finished retrains: training settings (ε included) → final weights. Retraining is deterministic
   * (seeded start, seeded batches), so releasing the slider on an ε visited before restores the very state a
   * retrain would reach instead of training again. Cleared when data or model are rebuilt.
   */
  private baselineEval: { key: string; ev: ToyEvaluation } | null = null;
  private memo = new RetrainMemo();

  async init(backend: BackendName): Promise<BackendInfo> {
    const unavailable = backend === 'wasm' ? fastEngineUnavailable() : 'not chosen';
    this.engine = unavailable ? 'tfjs' : 'fast';
    if (!unavailable) {
      return {
        backend: 'wasm',
        detail: 'WASM SIMD: hand-written toy MLP kernels (no tfjs), 1 thread per worker',
        fallbacks: [],
        forced: false,
        crossOriginIsolated: self.crossOriginIsolated,
      };
    }
    if (backend === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const info = await selectBackend(backend);
    if (backend === 'wasm')
      info.fallbacks.unshift({ backend: 'wasm', reason: `fast toy engine: ${unavailable}` });
    return info;
  }

  async setParams(p: ToyParams) {
    const old = this.params;
    this.params = { ...p };
    const changed = (keys: readonly string[]) =>
      !old || keys.some((k) => old[k as keyof ToyParams] !== p[k as keyof ToyParams]);
    let rebuilt: 'data' | 'model' | 'none' = 'none';
    if (!this.data || changed(DATA_KEYS)) {
      this.data = buildToyData(p);
      this.dataVersion++;
      rebuilt = 'data';
    } else if (changed(MODEL_KEYS)) rebuilt = 'model';
    if (rebuilt !== 'none') {
      // Stop whatever trains the runs about to be disposed (a running play/retrain/sweep loop sees the change).
      this.generation++;
      this.main?.dispose();
      this.baseline?.dispose();
      const start = toyRunStart(this.engine, this.data, p);
      this.main = createToyRun(this.engine, this.data, p, start);
      this.baseline = createToyRun(this.engine, this.data, { ...p, epsilon: 0 }, start);
      this.baselineFresh = false;
      this.memo.clear();
    } else {
      this.main!.update(p);
      // The ε = 0 pane is stale after any change except ε and display-only settings.
      const baseChanged = changed(
        (Object.keys(p) as (keyof ToyParams)[]).filter((k) => !EPSILON_ONLY_KEYS.includes(k)),
      );
      this.baseline!.update({ ...p, epsilon: 0 });
      if (baseChanged) this.baselineFresh = false;
    }
    return { dataVersion: this.dataVersion, rebuilt };
  }

  async reset() {
    this.generation++;
    this.need();
    this.main!.reset();
    this.baseline!.reset();
    this.baselineFresh = false;
    return this.transfer(this.makeFrame(true, performance.now(), -1));
  }

  async trainSteps(n: number, known = -1) {
    this.generation++;
    this.need();
    const t0 = performance.now();
    this.main!.train(n);
    this.baseline!.train(n);
    this.baselineFresh = false;
    return this.transfer(this.makeFrame(true, t0, known));
  }

  async frame(known = -1) {
    this.need();
    return this.transfer(this.makeFrame(true, performance.now(), known));
  }

  async retrain(onFrame: ((f: ToyFrame) => void) | null, known = -1) {
    const gen = ++this.generation;
    this.need();
    const t0 = performance.now();
    const steps = this.params!.steps;
    const keyOf = (eps: number) => this.memoKey(eps);
    let runs = [this.main!];
    if (!this.baselineFresh) runs.push(this.baseline!);
    let cached = true;
    runs = runs.filter((r) => {
      const hit = this.memo.get(keyOf(r.settings.epsilon));
      if (hit) r.restore(hit.weights, hit.steps, hit.loss);
      else {
        r.reset();
        cached = false;
      }
      return !hit;
    });
    let lastFrame = t0;
    for (let done = 0; runs.length > 0 && done < steps;) {
      // 10 steps before the first partial frame (feedback on release within ~0.1 s), then chunks of 25.
      const chunk = Math.min(done === 0 ? 10 : 25, steps - done);
      runs.forEach((r) => r.train(chunk));
      done += chunk;
      // First partial landscape after the first chunk (fast feedback on release), then every 300 ms.
      if (onFrame && done < steps && (done === 10 || performance.now() - lastFrame > 300)) {
        onFrame(this.transfer(this.makeFrame(false, t0, known)));
        known = this.dataVersion;
        lastFrame = performance.now();
      }
      await yieldToMessages();
      if (gen !== this.generation) return null;
    }
    for (const r of runs)
      this.memo.put(keyOf(r.settings.epsilon), {
        weights: r.model.getWeights(),
        steps: r.steps,
        loss: r.lastLoss,
      });
    this.baselineFresh = true;
    const frame = this.makeFrame(true, t0, known);
    frame.cached = cached;
    return this.transfer(frame);
  }

  /**
   * The ε = 0 pane's evaluation, reused while its model is unchanged (keyed by a hash of its weights and every
   * setting it depends on): moving ε alone retrains and re-evaluates only the right pane.
   */
  private baselineEvaluation(): ToyEvaluation {
    const p = this.params!;
    const b = this.baseline!;
    const key = `${this.memoKey(0)}|${p.grid}|${b.steps}|${hashWeights(b.model.getWeights())}`;
    if (this.baselineEval?.key !== key) {
      this.baselineEval = { key, ev: b.evaluate(p.grid, p.view) };
    }
    // A copy: the frame's arrays are transferred (detached) when sent.
    const ev = this.baselineEval.ev;
    return {
      ...ev,
      gridEnergy: ev.gridEnergy.slice(),
      gridProbs: ev.gridProbs.slice(),
      perturbed: ev.perturbed.slice(),
    };
  }

  /** The memo key of a retrain at `epsilon` under the current settings and data. */
  private memoKey(epsilon: number): string {
    return RetrainMemo.key(this.params!, epsilon, this.dataVersion);
  }

  async play(onFrame: (f: ToyFrame) => void, frameMs = 150, known = -1) {
    const gen = ++this.generation;
    this.need();
    this.baselineFresh = false;
    let lastFrame = 0;
    while (gen === this.generation) {
      const t = performance.now();
      // Train in slices of ~40 ms so settings sent meanwhile (ε drags) apply within a frame.
      while (performance.now() - t < 40) {
        this.main!.train(5, true);
        this.baseline!.train(5, true);
      }
      if (performance.now() - lastFrame >= frameMs) {
        onFrame(this.transfer(this.makeFrame(false, t, known)));
        known = this.dataVersion;
        lastFrame = performance.now();
      }
      await yieldToMessages();
    }
  }

  async pause() {
    this.generation++;
  }

  async cancel() {
    this.generation++;
  }

  async sweep(onProgress: (points: SweepPoint[], done: number, total: number) => void) {
    const gen = ++this.generation;
    this.need();
    const report = throttle((a: Parameters<typeof onProgress>) => onProgress(...a), 200);
    return epsilonSweep(this.data!, this.params!, {
      engine: this.engine,
      shouldStop: () => gen !== this.generation,
      pause: yieldToMessages,
      onPoint: (points, done, total) => report([points, done, total], done === total),
    });
  }

  async sweepJob(job: SweepJob) {
    const gen = ++this.generation;
    this.need();
    return runSweepJob(this.data!, this.params!, job, {
      engine: this.engine,
      shouldStop: () => gen !== this.generation,
      pause: yieldToMessages,
    });
  }

  private need(): void {
    if (!this.params || !this.main || !this.baseline || !this.data) {
      throw new Error('toy: call setParams() first');
    }
  }

  private makeFrame(final: boolean, t0: number, known: number): ToyFrame {
    const p = this.params!;
    const frame: ToyFrame = {
      main: this.main!.evaluate(p.grid, p.view),
      baseline: this.baselineEvaluation(),
      dataVersion: this.dataVersion,
      final,
      elapsedMs: performance.now() - t0,
      method: p.method,
      epsilon: p.epsilon,
    };
    if (known !== this.dataVersion) {
      const d = this.data!;
      frame.data = {
        train: { x: d.train.x.slice(), y: d.train.y.slice(), numClasses: d.train.numClasses },
        outliers: d.outliers.slice(),
        testNear: d.testNear.slice(),
        testFar: d.testFar.slice(),
        numClasses: d.numClasses,
      };
    }
    return frame;
  }

  /** Mark the frame's typed arrays as transferable (they are fresh copies owned by nobody else). */
  private transfer(f: ToyFrame): ToyFrame {
    const buffers: ArrayBuffer[] = [];
    for (const ev of [f.main, f.baseline]) {
      if (!ev) continue;
      buffers.push(
        ev.gridEnergy.buffer as ArrayBuffer,
        ev.gridProbs.buffer as ArrayBuffer,
        ev.perturbed.buffer as ArrayBuffer,
      );
    }
    if (f.data) {
      const d = f.data;
      buffers.push(
        d.train.x.buffer as ArrayBuffer,
        d.train.y.buffer as ArrayBuffer,
        d.outliers.buffer as ArrayBuffer,
      );
      buffers.push(d.testNear.buffer as ArrayBuffer, d.testFar.buffer as ArrayBuffer);
    }
    return Comlink.transfer(f, [...new Set(buffers)]);
  }
}

/** FNV-1a over the weights' bits (a cache key, not a checksum against tampering). */
function hashWeights(w: Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const a of w) {
    const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i], 0x01000193);
  }
  return (h >>> 0).toString(16);
}

/** Create the toy namespace of the worker API. */
export function createToyApi(): ToyWorkerApi {
  return new ToySession();
}

/**
 * Evaluate any of the nine OOD detectors on a WRN: eval-mode logits and penultimate features of the ID training
 * subset (for fitting), the ID test set and each OOD set; fit the detectors that need it on THIS model's ID
 * training features; score; metrics with `oodMetrics` (OOD = positive class, higher score = more OOD).
 * DOM-free; runs in the worker and in Node. Cancellation: `signal` is checked between batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  DICE,
  EnergyBased,
  KLMatching,
  Mahalanobis,
  MaxLogit,
  MaxSoftmax,
  ODIN,
  SHE,
  ViM,
  scoreAsync,
  type Detector,
} from '../core/detectors';
import type { Matrix } from '../core/linalg';
import { idVsOodMetrics, type OodMetrics } from '../core/metrics';
import { asLogitsFn } from '../models/wrn';
import type { ImageClassifier } from '../models/types';
import { gatherImages, normalizer, toImageTensor } from './batches';
import type { ImageSet, TrainingData } from './types';

/** The nine detectors by name (the same names as result rows and the reference). */
export const DETECTOR_TABLE = {
  MSP: { label: 'MSP', fits: false, reads: 'logits' },
  MaxLogit: { label: 'MaxLogit', fits: false, reads: 'logits' },
  EBO: { label: 'EBO (energy)', fits: false, reads: 'logits' },
  ODIN: { label: 'ODIN', fits: false, reads: 'inputs' },
  Mahalanobis: { label: 'Mahalanobis', fits: true, reads: 'features' },
  ViM: { label: 'ViM', fits: true, reads: 'features' },
  KLMatching: { label: 'KL-Matching', fits: true, reads: 'logits' },
  SHE: { label: 'SHE', fits: true, reads: 'features' },
  DICE: { label: 'DICE', fits: true, reads: 'features' },
} as const;
export type DetectorKey = keyof typeof DETECTOR_TABLE;
export const DETECTOR_KEYS = Object.keys(DETECTOR_TABLE) as DetectorKey[];

/** Settings of the parametrised detectors (pytorch-ood's examples for a 128-d WRN; OOD_SPEC §1). */
export const DETECTOR_SETTINGS = {
  odin: { epsilon: 0.002, temperature: 1000 },
  /** ViM principal dimension d (⌊D/2⌋ when D is smaller). */
  vimDim: 64,
  /** DICE sparsity percentile p on a 0–100 scale (90 = keep the top 10 % of contributions). */
  dicePercentile: 90,
} as const;

/** Eval-mode outputs of a set: logits [N, C], features [N, D], predicted classes [N]. */
export interface SetOutputs {
  logits: Matrix;
  features: Matrix;
  predicted: Int32Array;
}

export interface OutputOptions {
  /** Only the first `limit` images (0 = all). */
  limit?: number;
  /** These images of the set, in this order (overrides `limit`). */
  indices?: ArrayLike<number>;
  batchSize?: number;
  signal?: AbortSignal;
  /** Called after every batch with (images done, images total). */
  onBatch?: (done: number, total: number) => void;
}

/** Eval-mode logits and features of (the first `limit` images of) a set. Leaks no tensors. */
export async function setOutputs(
  model: ImageClassifier,
  set: ImageSet,
  preprocess: (x: tf.Tensor) => tf.Tensor,
  o: OutputOptions = {},
): Promise<SetOutputs> {
  const n = o.indices ? o.indices.length : o.limit && o.limit > 0 ? Math.min(o.limit, set.n) : set.n;
  const at = (i: number) => (o.indices ? o.indices[i] : i);
  const bs = o.batchSize ?? 200;
  const c = model.config.numClasses;
  let d = 0;
  const logits = new Float32Array(n * c);
  let features = new Float32Array(0);
  const predicted = new Int32Array(n);
  for (let start = 0; start < n; start += bs) {
    o.signal?.throwIfAborted();
    const idx = Array.from({ length: Math.min(bs, n - start) }, (_, i) => at(start + i));
    const [l, f] = tf.tidy(() => {
      const x = preprocess(toImageTensor(gatherImages(set, idx, null), set)) as tf.Tensor4D;
      const out = model.forward(x, { training: false });
      return [out.logits, out.features] as const;
    });
    const [lv, fv] = (await Promise.all([l.data(), f.data()])) as Float32Array[];
    tf.dispose([l, f]);
    if (d === 0) {
      d = f.shape[1];
      features = new Float32Array(n * d);
    }
    logits.set(lv, start * c);
    features.set(fv, start * d);
    for (let i = 0; i < idx.length; i++) {
      let best = 0;
      for (let k = 1; k < c; k++) if (lv[i * c + k] > lv[i * c + best]) best = k;
      predicted[start + i] = best;
    }
    o.onBatch?.(start + idx.length, n);
    await new Promise((r) => setTimeout(r, 0));
  }
  return {
    logits: { data: logits, rows: n, cols: c },
    features: { data: features, rows: n, cols: d },
    predicted,
  };
}

/**
 * The classification head as the detectors expect it: W C×D row-major (PyTorch layout) and b [C]. Read back
 * asynchronously (a synchronous WebGPU read destroys SwiftShader's device).
 */
export async function headOf(model: ImageClassifier): Promise<{ weight: Matrix; bias: Float32Array }> {
  const state = model.getState();
  try {
    const w = state.tensors.get('fc.weight');
    const b = state.tensors.get('fc.bias');
    if (!w || !b) throw new Error('The model has no fc.weight / fc.bias head.');
    const wt = tf.tidy(() => tf.transpose(w));
    let data: Float32Array;
    try {
      data = new Float32Array(await wt.data());
    } finally {
      wt.dispose();
    }
    const [inDim, classes] = w.shape as [number, number];
    return { weight: { data, rows: classes, cols: inDim }, bias: new Float32Array(await b.data()) };
  } finally {
    for (const t of state.tensors.values()) t.dispose();
  }
}

/** The detectors that read only logits (usable on any classifier, e.g. the toy MLP), or null for the others. */
export function createLogitDetector(name: string): Detector | null {
  switch (name) {
    case 'MSP':
      return new MaxSoftmax();
    case 'MaxLogit':
      return new MaxLogit();
    case 'EBO':
      return new EnergyBased();
    case 'KLMatching':
      return new KLMatching();
    default:
      return null;
  }
}

/** Throws (before anything is scored) when the model's head and the ID data disagree on the number of classes. */
export function checkClassesMatch(model: ImageClassifier, data: TrainingData): void {
  if (model.config.numClasses !== data.numClasses)
    throw new Error(
      `The model has ${model.config.numClasses} classes but the ID data has ${data.numClasses}: load a matching model.`,
    );
}

/**
 * {@link createDetector}, then — for a fitted detector when `fitOut` is given — fitted on those outputs of the
 * first `fitOut.logits.rows` ID training images and their labels.
 */
export function fittedDetector(
  name: DetectorKey,
  model: ImageClassifier,
  head: { weight: Matrix; bias: Float32Array },
  data: TrainingData,
  fitOut: SetOutputs | null,
): Detector {
  const det = createDetector(name, model, head, data.normalization.std);
  if (det.fit && fitOut) {
    const trainLabels = data.train.labels;
    if (!trainLabels) throw new Error('The ID training set has no labels to fit detectors on.');
    det.fit({
      logits: fitOut.logits,
      features: fitOut.features,
      labels: trainLabels.subarray(0, fitOut.logits.rows),
    });
  }
  return det;
}

/** A detector instance for `name`, built for `model` (ODIN runs it; head-based ones read its fc layer). */
export function createDetector(
  name: DetectorKey,
  model: ImageClassifier,
  head: { weight: Matrix; bias: Float32Array },
  normStd: readonly number[],
): Detector {
  const byLogits = createLogitDetector(name);
  if (byLogits) return byLogits;
  switch (name) {
    case 'ODIN':
      return new ODIN(asLogitsFn(model, false), { ...DETECTOR_SETTINGS.odin, normStd: [...normStd] });
    case 'Mahalanobis':
      return new Mahalanobis();
    case 'ViM':
      return new ViM(
        Math.min(DETECTOR_SETTINGS.vimDim, Math.floor(head.weight.cols / 2)),
        head.weight,
        head.bias,
      );
    case 'SHE':
      return new SHE(head.weight, head.bias);
    default:
      return new DICE(head.weight, head.bias, DETECTOR_SETTINGS.dicePercentile);
  }
}

/**
 * Scores of `detector` on a set. ODIN re-runs the model on its perturbed inputs batch by batch, taking ŷ from the
 * clean logits already in `out` (rows of `out` are the images `indices[i]`, default i).
 */
export async function scoreSet(
  detector: Detector,
  name: DetectorKey,
  out: SetOutputs,
  set: ImageSet,
  preprocess: (x: tf.Tensor) => tf.Tensor,
  signal?: AbortSignal,
  indices?: ArrayLike<number>,
): Promise<Float32Array> {
  if (name !== 'ODIN') return detector.score({ logits: out.logits, features: out.features });
  const n = out.logits.rows;
  const c = out.logits.cols;
  const scores = new Float32Array(n);
  const bs = 100;
  for (let start = 0; start < n; start += bs) {
    signal?.throwIfAborted();
    const len = Math.min(bs, n - start);
    const idx = Array.from({ length: len }, (_, i) => (indices ? indices[start + i] : start + i));
    const x = tf.tidy(() => preprocess(toImageTensor(gatherImages(set, idx, null), set)));
    const logits = { data: out.logits.data.subarray(start * c, (start + len) * c), rows: len, cols: c };
    try {
      scores.set(await scoreAsync(detector, { inputs: x, logits }), start);
    } finally {
      x.dispose();
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  return scores;
}

/** The OOD set names an evaluation asks for ('all' = every loaded set); throws naming a set that is not loaded. */
export function requestedOodSets(data: TrainingData, oodSets: readonly string[] | 'all'): readonly string[] {
  const names = oodSets === 'all' ? Object.keys(data.oodTests) : oodSets;
  for (const s of names) if (!data.oodTests[s]) throw new Error(`No OOD set named "${s}" is loaded.`);
  return names;
}

/** What every evaluation of detectors on a model takes. */
export interface EvaluationOptions {
  detectors: readonly DetectorKey[];
  /** OOD set names to score ('all' = every set in `data.oodTests`). */
  oodSets: readonly string[] | 'all';
  /** Images per evaluated set (0 = all). */
  limit: number;
  /** ID training images the fitted detectors use (0 = all). */
  fitLimit: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

/** The clean start of an evaluation (see {@link startEvaluation}). */
export interface EvaluationStart {
  /** The model's own input normalisation (`data.normalization`). */
  pre: (x: tf.Tensor) => tf.Tensor;
  /** The OOD set names asked for. */
  oodSets: readonly string[];
  /** The model's fc layer, for the head-based detectors. */
  head: { weight: Matrix; bias: Float32Array };
  /** Outputs of the ID training images to fit on; null when no requested detector fits. */
  fitOut: SetOutputs | null;
  /** Outputs of the ID test images. */
  idOut: SetOutputs;
  /** Clean ID test accuracy (fraction) over `idOut`'s images. */
  accuracy: number;
  /** Progress: `message`, `within` ∈ [0, 1] of the current phase. */
  report(message: string, within?: number): void;
  /** Outputs of up to `limit` images of `set` (0 = all) as one phase, reported batch by batch as `what`. */
  outputsOf(set: ImageSet, limit: number, what: string): Promise<SetOutputs>;
  /** Close a phase the caller ran outside `outputsOf`. */
  endPhase(): void;
}

/**
 * The start every detector evaluation shares: check that the model and data agree on the classes, then — with
 * progress over one phase for the fit outputs (when a requested detector fits), one for the ID test set and the
 * `laterPhases(oodSets)` the caller runs afterwards — the eval-mode outputs of the first `fitLimit` ID training
 * images and the first `limit` ID test images, and the clean ID test accuracy. Throws if the test set has no labels.
 */
export async function startEvaluation(
  model: ImageClassifier,
  data: TrainingData,
  o: EvaluationOptions,
  laterPhases: (oodSets: readonly string[]) => number,
): Promise<EvaluationStart> {
  checkClassesMatch(model, data);
  const pre = normalizer(data.normalization.mean, data.normalization.std);
  const oodSets = requestedOodSets(data, o.oodSets);
  const fits = o.detectors.some((d) => DETECTOR_TABLE[d].fits);
  const phases = (fits ? 1 : 0) + 1 + laterPhases(oodSets);
  let phase = 0;
  const report = (msg: string, within = 0) => o.onProgress?.(Math.min(1, (phase + within) / phases), msg);
  const outputsOf = async (set: ImageSet, limit: number, what: string) => {
    const r = await setOutputs(model, set, pre, {
      limit,
      signal: o.signal,
      onBatch: (done, total) => report(`${what}: ${done}/${total} images`, done / total),
    });
    phase++;
    return r;
  };
  const fitOut = fits ? await outputsOf(data.train, o.fitLimit, 'ID training features for fitting') : null;
  const idOut = await outputsOf(data.test, o.limit, 'ID test set');
  const labels = data.test.labels;
  if (!labels) throw new Error('The ID test set has no labels.');
  let correct = 0;
  for (let i = 0; i < idOut.predicted.length; i++) correct += idOut.predicted[i] === labels[i] ? 1 : 0;
  const head = await headOf(model);
  const accuracy = correct / idOut.predicted.length;
  return { pre, oodSets, head, fitOut, idOut, accuracy, report, outputsOf, endPhase: () => phase++ };
}

export interface DetectorEvalOptions extends EvaluationOptions {
  /** Keep per-sample scores (for export and histograms). */
  keepScores?: boolean;
}

export interface DetectorEvaluation {
  /** ID test accuracy (fraction) over `testCount` images. */
  accuracy: number;
  testCount: number;
  /** metrics[detector][oodSet] (fractions), with the sample counts behind them. */
  metrics: Record<string, Record<string, OodMetrics & { nId: number; nOod: number }>>;
  /** Per-sample scores[detector][set] ('ID' is the test set), when `keepScores`. */
  scores?: Record<string, Record<string, Float32Array>>;
  /** Predicted class of each scored ID test image, when `keepScores`. */
  predicted?: Int32Array;
}

/**
 * Fit and score the requested detectors on `model` (eval mode, the model's own normalisation in `data`).
 * Fitted detectors (Mahalanobis, ViM, KL-Matching, SHE, DICE) use the first `fitLimit` ID training images and
 * their labels. Throws if the model's class count differs from the data's.
 */
export async function evaluateDetectors(
  model: ImageClassifier,
  data: TrainingData,
  o: DetectorEvalOptions,
): Promise<DetectorEvaluation> {
  const {
    pre,
    oodSets: names,
    head,
    fitOut,
    idOut,
    accuracy,
    report,
    outputsOf,
    endPhase,
  } = await startEvaluation(model, data, o, (sets) => sets.length + o.detectors.length);
  const oodOut: Record<string, SetOutputs> = {};
  for (const s of names) oodOut[s] = await outputsOf(data.oodTests[s], o.limit, s);

  const metrics: DetectorEvaluation['metrics'] = {};
  const scores: NonNullable<DetectorEvaluation['scores']> = {};
  for (const name of o.detectors) {
    o.signal?.throwIfAborted();
    report(`${name}: ${DETECTOR_TABLE[name].fits ? 'fitting and ' : ''}scoring`);
    const det = fittedDetector(name, model, head, data, fitOut);
    const idScores = await scoreSet(det, name, idOut, data.test, pre, o.signal);
    metrics[name] = {};
    if (o.keepScores) scores[name] = { ID: idScores };
    for (const s of names) {
      const oodScores = await scoreSet(det, name, oodOut[s], data.oodTests[s], pre, o.signal);
      metrics[name][s] = idVsOodMetrics(idScores, oodScores);
      if (o.keepScores) scores[name][s] = oodScores;
    }
    endPhase();
  }
  report('done');
  return {
    accuracy,
    testCount: idOut.predicted.length,
    metrics,
    scores: o.keepScores ? scores : undefined,
    predicted: o.keepScores ? idOut.predicted : undefined,
  };
}

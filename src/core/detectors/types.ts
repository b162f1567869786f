import type * as tf from '@tensorflow/tfjs-core';
import type { Matrix } from '../linalg';

export type { Matrix } from '../linalg';

/**
 * What a detector scores. Matrices are row-major [N, C] logits or [N, D] penultimate features (Float32Array or
 * Float64Array backed, e.g. from `await tensor.data()`). `inputs` is the raw model input [N, ...] for detectors
 * that need gradients through the model (ODIN, Mahalanobis with input preprocessing).
 */
export interface DetectorInput {
  logits?: Matrix;
  features?: Matrix;
  inputs?: tf.Tensor;
}

/** In-distribution training data for `fit`. Labels are class indices 0..K−1; entries < 0 (OOD) are ignored. */
export interface DetectorFitData {
  logits?: Matrix;
  features?: Matrix;
  labels?: ArrayLike<number>;
}

/** Which parts of {@link DetectorInput} / {@link DetectorFitData} a detector reads. */
export type DetectorField = 'logits' | 'features' | 'inputs' | 'labels';

/**
 * An OOD detector. `score` returns one float per row, **higher = more OOD** (pytorch-ood convention). Detectors
 * with `fit` must be fitted on ID training data first; scoring an unfitted one throws.
 */
export interface Detector {
  readonly name: string;
  /** What `score` reads. */
  readonly needs: readonly DetectorField[];
  /** What `fit` reads (absent: no fitting). */
  readonly fitNeeds?: readonly DetectorField[];
  fit?(data: DetectorFitData): void;
  score(input: DetectorInput): Float32Array;
  /**
   * The same scores with an asynchronous GPU readback, offered by detectors that run the model (ODIN). Code that
   * may run on WebGPU calls {@link scoreAsync} instead of `score`.
   */
  scoreAsync?(input: DetectorInput): Promise<Float32Array>;
}

/** `detector.scoreAsync(input)` where offered, else `detector.score(input)`; higher = more OOD. */
export async function scoreAsync(detector: Detector, input: DetectorInput): Promise<Float32Array> {
  return detector.scoreAsync ? detector.scoreAsync(input) : detector.score(input);
}

/** Returns the named matrix or throws an Error naming the detector and what is missing. */
export function need(
  detector: string,
  m: Matrix | undefined,
  what: 'logits' | 'features',
  cols?: number,
): Matrix {
  if (!m) throw new Error(`${detector}: needs ${what}`);
  if (m.data.length !== m.rows * m.cols) {
    throw new Error(`${detector}: ${what} has ${m.data.length} values for ${m.rows}×${m.cols}`);
  }
  if (cols !== undefined && m.cols !== cols) {
    throw new Error(`${detector}: ${what} must have ${cols} columns, got ${m.cols}`);
  }
  return m;
}

/**
 * Checks fit labels against N rows (and, given the head's `numClasses`, that no label reaches past it) and returns
 * them; OOD rows (negative labels) are kept for the caller to skip.
 */
export function fitLabels(
  detector: string,
  labels: ArrayLike<number> | undefined,
  n: number,
  numClasses?: number,
): ArrayLike<number> {
  if (!labels) throw new Error(`${detector}: fit needs labels`);
  if (labels.length !== n) throw new Error(`${detector}: ${labels.length} labels for ${n} rows`);
  let max = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(labels[i])) throw new Error(`${detector}: label at index ${i} is ${labels[i]}`);
    if (labels[i] > max) max = labels[i];
  }
  if (numClasses !== undefined && max >= numClasses)
    throw new Error(
      `${detector}: the fit labels reach class ${max} but the model has a ${numClasses}-class head: the ID data ` +
        `and the model disagree (use a model with a ${max + 1}-class head, or ID data with ${numClasses} classes).`,
    );
  return labels;
}

/** Row i of m as a subarray view. */
export function row(m: Matrix, i: number): Float32Array | Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** log Σ_c exp(v_c), stable (float64). */
export function logSumExp(v: ArrayLike<number>): number {
  let m = -Infinity;
  for (let c = 0; c < v.length; c++) if (v[c] > m) m = v[c];
  if (m === -Infinity || m === Infinity) return m;
  let s = 0;
  for (let c = 0; c < v.length; c++) s += Math.exp(v[c] - m);
  return m + Math.log(s);
}

/** Index of the first maximum. */
export function argMax(v: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < v.length; c++) if (v[c] > v[best]) best = c;
  return best;
}

/** Affine head z·Wᵀ + b for one feature row (W is C×D row-major, PyTorch layout). */
export function linearRow(
  z: ArrayLike<number>,
  w: Matrix,
  b: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  for (let c = 0; c < w.rows; c++) {
    let s = b[c];
    const o = c * w.cols;
    for (let d = 0; d < w.cols; d++) s += w.data[o + d] * z[d];
    out[c] = s;
  }
  return out;
}

/** Checks a C×D weight matrix and its length-C bias. */
export function checkHead(detector: string, w: Matrix, b: ArrayLike<number>): void {
  if (w.data.length !== w.rows * w.cols) throw new Error(`${detector}: W has a bad shape`);
  if (b.length !== w.rows) throw new Error(`${detector}: b has ${b.length} entries, W has ${w.rows} rows`);
}

/** Reads a [N, K] tensor into a Float32Array-backed {@link Matrix} (does not dispose the tensor). */
export async function matrixFromTensor(t: tf.Tensor2D): Promise<Matrix> {
  if (t.rank !== 2) throw new Error(`matrixFromTensor: expected a rank-2 tensor, got rank ${t.rank}`);
  const data = await t.data();
  if (!(data instanceof Float32Array)) throw new Error(`matrixFromTensor: expected float32, got ${t.dtype}`);
  return { data, rows: t.shape[0], cols: t.shape[1] };
}

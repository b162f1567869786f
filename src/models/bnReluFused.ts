import * as tf from '@tensorflow/tfjs-core';
import { BN_EPSILON } from './batchNorm';
import { bnSimdFor, type BnSimd } from './bnReluSimd';

/**
 * Fused training-mode BatchNorm + ReLU, forward and backward, as two custom kernels over the tensors' own
 * Float32Arrays (registered for the 'wasm' and 'cpu' backends; the hand-written WRN pass, wrnBackprop.ts, uses
 * them there and the tfjs-op formulas elsewhere). On WASM the op-by-op formulas cost ~10 full passes over each
 * activation per BN (moments through transposed reductions, sub, mul, add, relu; step, mul, two sums through
 * transposes, …), which profiled at ~25 % of a WRN-16-2 AOE step; these kernels make 3 passes (forward) and 2
 * (backward), accumulate per-channel sums in float64, and copy nothing on WASM (they read and write the heap).
 *
 * Layout NHWC, channels innermost: element i belongs to channel i mod C; n = N·H·W values per channel.
 *
 * - `AoeBnReluForward` (x [N,H,W,C], gamma [C], beta [C]) → [y, mean, invStd, variance]:
 *   μ = Σx/n, σ² = Σ(x − μ)²/n (biased, as PyTorch normalises), invStd = 1/√(σ² + ε),
 *   y = max(0, (x − μ)·γ·invStd + β). All outputs float32.
 * - `AoeBnReluBackward` (dy, y, x, mean, invStd, gamma; attr `scale`) → [dx, dGamma, dBeta], with
 *   g = dy·[y > 0] (y after ReLU and dropout, so the mask is both's support; the dropout scale 1/keep is `scale`):
 *   dβ = scale·Σg, dγ = scale·invStd·Σg·(x − μ), dx = γ·invStd·(scale·g − dβ/n − x̂·dγ/n).
 */

export const BN_RELU_FORWARD = 'AoeBnReluForward';
export const BN_RELU_BACKWARD = 'AoeBnReluBackward';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap };

/** The slice of the two backends used here (their classes are not imported: only their instances). */
interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}
interface CpuLike {
  data: { get(id: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** Allocate outputs first (a WASM allocation may grow the heap and detach earlier views), then view everything. */
function io(
  backendName: 'wasm' | 'cpu',
  backend: tf.KernelBackend,
  ins: tf.TensorInfo[],
  outShapes: number[][],
): { inputs: Float32Array[]; outputs: Float32Array[]; infos: tf.TensorInfo[] } {
  for (const t of ins)
    if (t.dtype !== 'float32') throw new Error(`BN+ReLU kernels need float32, got ${t.dtype}`);
  if (backendName === 'wasm') {
    const b = backend as unknown as WasmLike;
    const infos = outShapes.map((s) => b.makeOutput(s, 'float32'));
    return {
      inputs: ins.map((t) => b.typedArrayFromHeap(t)),
      outputs: infos.map((t) => b.typedArrayFromHeap(t)),
      infos,
    };
  }
  const b = backend as unknown as CpuLike;
  const outputs = outShapes.map((s) => new Float32Array(s.reduce((a, d) => a * d, 1)));
  return {
    inputs: ins.map((t) => b.data.get(t.dataId).values),
    outputs,
    infos: outShapes.map((s, i) => b.makeTensorInfo(s, 'float32', outputs[i])),
  };
}

/** Rows summed in float32 before their sums join the float64 totals. */
const BLOCK_ROWS = 256;

/** tfjs-wasm's memory and the SIMD loops over it, when this backend and channel count allow them. */
function simdOn(backendName: string, backend: tf.KernelBackend, C: number): BnSimd | null {
  if (backendName !== 'wasm' || C % 4 !== 0) return null;
  const wasm = (backend as unknown as { wasm: { wasmMemory?: object; asm?: { memory?: object } } }).wasm;
  const memory = wasm.wasmMemory ?? wasm.asm?.memory;
  if (!memory) return null;
  try {
    return bnSimdFor(memory as never);
  } catch {
    return null;
  }
}

/** Σ over rows of a [rows, C] region into float64 `into`, in float32 blocks of BLOCK_ROWS rows. */
function blockSums(
  rows: number,
  C: number,
  acc: Float32Array,
  into: Float64Array[],
  call: (row0: number, n: number) => void,
): void {
  for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
    acc.fill(0);
    call(r0, Math.min(BLOCK_ROWS, rows - r0));
    for (let k = 0; k < into.length; k++) for (let c = 0; c < C; c++) into[k][c] += acc[k * C + c];
  }
}

type Floats = Float32Array | Float64Array;

/**
 * The forward pass's per-channel coefficients from sq[c] = Σ(x − μ)² over n rows: the outputs `variance` (biased)
 * and `invStd` = 1/√(σ² + ε), and the affine map y = max(0, (x − μ)·a + shift) with a = γ·invStd (float32) and
 * shift = β.
 */
function forwardCoefficients(
  sq: Float64Array,
  n: number,
  gv: Float32Array,
  bv: Float32Array,
  out: { variance: Float32Array; invStd: Float32Array; a: Floats; shift: Floats },
): void {
  for (let c = 0; c < sq.length; c++) {
    const variance = Math.fround(sq[c] / n);
    const inv = Math.fround(1 / Math.sqrt(Math.fround(variance + BN_EPSILON)));
    out.variance[c] = variance;
    out.invStd[c] = inv;
    out.a[c] = Math.fround(gv[c] * inv);
    out.shift[c] = bv[c];
  }
}

/**
 * The backward pass's per-channel coefficients from sg[c] = Σg and sgx[c] = Σg·(x − μ) over n rows (g the
 * ReLU-masked dy): the outputs dBeta = scale·Σg and dGamma = scale·invStd·Σg·(x − μ), and dx = g·A + (x − μ)·B + K.
 */
function backwardCoefficients(
  sg: Float64Array,
  sgx: Float64Array,
  n: number,
  scale: number,
  iv: Float32Array,
  gv: Float32Array,
  out: { dBeta: Float32Array; dGamma: Float32Array; A: Floats; B: Floats; K: Floats },
): void {
  for (let c = 0; c < sg.length; c++) {
    const dB = sg[c] * scale;
    const dG = sgx[c] * iv[c] * scale;
    out.dBeta[c] = dB;
    out.dGamma[c] = dG;
    const gInv = gv[c] * iv[c];
    out.A[c] = gInv * scale;
    out.B[c] = (-gInv * iv[c] * dG) / n;
    out.K[c] = (-gInv * dB) / n;
  }
}

function forwardKernel(backendName: 'wasm' | 'cpu') {
  return ({ inputs, backend }: KernelArgs): tf.TensorInfo[] => {
    const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
    const C = x.shape[x.shape.length - 1];
    const total = tf.util.sizeFromShape(x.shape);
    const n = total / C;
    const simd = simdOn(backendName, backend, C);
    if (simd) return forwardSimd(simd, backend, x, gamma, beta);
    const {
      inputs: ins,
      outputs,
      infos,
    } = io(backendName, backend, [x, gamma, beta], [x.shape, [C], [C], [C]]);
    const [xv, gv, bv] = ins;
    const [y, meanOut, invOut, varOut] = outputs;
    const sum = new Float64Array(C);
    for (let p = 0; p < total; p += C) for (let c = 0; c < C; c++) sum[c] += xv[p + c];
    const mean = new Float64Array(C);
    for (let c = 0; c < C; c++) mean[c] = Math.fround(sum[c] / n);
    const sq = new Float64Array(C);
    for (let p = 0; p < total; p += C)
      for (let c = 0; c < C; c++) {
        const d = xv[p + c] - mean[c];
        sq[c] += d * d;
      }
    meanOut.set(mean);
    const a = new Float64Array(C);
    const shift = new Float64Array(C);
    forwardCoefficients(sq, n, gv, bv, { variance: varOut, invStd: invOut, a, shift });
    for (let p = 0; p < total; p += C)
      for (let c = 0; c < C; c++) {
        const v = (xv[p + c] - mean[c]) * a[c] + shift[c];
        y[p + c] = v > 0 ? v : 0;
      }
    return infos;
  };
}

/** Byte address of element `i` of a view on tfjs-wasm's heap. */
const at = (v: Float32Array, i = 0) => v.byteOffset + 4 * i;

/**
 * The SIMD kernels' set-up: x viewed as [rows, C] rows (c4 = C/4 vectors each), the inputs viewed on tfjs-wasm's
 * heap, and outputs allocated there: one of x's shape, then one [k·C] per entry k of `channelRows`.
 */
function heapFrame(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  ins: tf.TensorInfo[],
  channelRows: number[],
): {
  C: number;
  rows: number;
  c4: number;
  inputs: Float32Array[];
  outputs: Float32Array[];
  infos: tf.TensorInfo[];
} {
  const C = x.shape[x.shape.length - 1];
  const shapes = [x.shape, ...channelRows.map((k) => [k * C])];
  return { C, rows: tf.util.sizeFromShape(x.shape) / C, c4: C / 4, ...io('wasm', backend, ins, shapes) };
}

/** The forward kernel on tfjs-wasm's heap with the SIMD loops (same arithmetic as the loop version above). */
function forwardSimd(
  k: BnSimd,
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  gamma: tf.TensorInfo,
  beta: tf.TensorInfo,
): tf.TensorInfo[] {
  // Scratch [4, C]: mean, a = γ·invStd, β, accumulator.
  const { C, rows, c4, inputs, outputs, infos } = heapFrame(backend, x, [x, gamma, beta], [1, 1, 1, 4]);
  const [xv, gv, bv] = inputs;
  const [y, meanOut, invOut, varOut, scratch] = outputs;
  const acc = scratch.subarray(3 * C, 4 * C);
  try {
    const sum = new Float64Array(C);
    blockSums(rows, C, acc, [sum], (r0, nr) => k.colSum(at(xv, r0 * C), nr, c4, at(acc)));
    for (let c = 0; c < C; c++) scratch[c] = meanOut[c] = sum[c] / rows;
    const sq = new Float64Array(C);
    blockSums(rows, C, acc, [sq], (r0, nr) => k.colSumSqDiff(at(xv, r0 * C), at(scratch), nr, c4, at(acc)));
    const [a, shift] = [scratch.subarray(C, 2 * C), scratch.subarray(2 * C, 3 * C)];
    forwardCoefficients(sq, rows, gv, bv, { variance: varOut, invStd: invOut, a, shift });
    k.affineRelu(at(xv), at(scratch), at(a), at(shift), at(y), rows, c4);
  } finally {
    backend.disposeData(infos[4].dataId);
  }
  return infos.slice(0, 4);
}

/** The backward kernel on tfjs-wasm's heap with the SIMD loops. */
function backwardSimd(
  k: BnSimd,
  backend: tf.KernelBackend,
  t: Record<string, tf.TensorInfo>,
  scale: number,
): tf.TensorInfo[] {
  const { dy, y, x, mean, invStd, gamma } = t;
  // Scratch [5, C]: A, B, K, accG, accGX.
  const { C, rows, c4, inputs, outputs, infos } = heapFrame(
    backend,
    x,
    [dy, y, x, mean, invStd, gamma],
    [1, 1, 5],
  );
  const [dyv, yv, xv, mv, iv, gv] = inputs;
  const [dx, dGammaOut, dBetaOut, scratch] = outputs;
  const acc = scratch.subarray(3 * C, 5 * C);
  try {
    const sg = new Float64Array(C);
    const sgx = new Float64Array(C);
    blockSums(rows, C, acc, [sg, sgx], (r0, nr) =>
      k.backSums(at(dyv, r0 * C), at(yv, r0 * C), at(xv, r0 * C), at(mv), nr, c4, at(acc), at(acc, C)),
    );
    const [A, B, K] = [0, 1, 2].map((i) => scratch.subarray(i * C, (i + 1) * C));
    backwardCoefficients(sg, sgx, rows, scale, iv, gv, { dBeta: dBetaOut, dGamma: dGammaOut, A, B, K });
    k.backDx(at(dyv), at(yv), at(xv), at(mv), at(A), at(B), at(K), at(dx), rows, c4);
  } finally {
    backend.disposeData(infos[3].dataId);
  }
  return infos.slice(0, 3);
}

function backwardKernel(backendName: 'wasm' | 'cpu') {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] => {
    const { dy, y, x, mean, invStd, gamma } = inputs as Record<string, tf.TensorInfo>;
    if (!tf.util.arraysEqual(dy.shape, x.shape) || !tf.util.arraysEqual(y.shape, x.shape))
      throw new Error(`${BN_RELU_BACKWARD}: dy ${dy.shape} and y ${y.shape} must have x's shape ${x.shape}`);
    const scale = (attrs as { scale: number }).scale;
    const C = x.shape[x.shape.length - 1];
    const simd = simdOn(backendName, backend, C);
    if (simd) return backwardSimd(simd, backend, { dy, y, x, mean, invStd, gamma }, scale);
    const total = tf.util.sizeFromShape(x.shape);
    const n = total / C;
    const {
      inputs: ins,
      outputs,
      infos,
    } = io(backendName, backend, [dy, y, x, mean, invStd, gamma], [x.shape, [C], [C]]);
    const [dyv, yv, xv, mv, iv, gv] = ins;
    const [dx, dGammaOut, dBetaOut] = outputs;
    const sg = new Float64Array(C);
    const sgx = new Float64Array(C);
    for (let p = 0; p < total; p += C)
      for (let c = 0; c < C; c++) {
        if (yv[p + c] > 0) {
          const g = dyv[p + c];
          sg[c] += g;
          sgx[c] += g * (xv[p + c] - mv[c]);
        }
      }
    const A = new Float64Array(C);
    const B = new Float64Array(C);
    const K = new Float64Array(C);
    backwardCoefficients(sg, sgx, n, scale, iv, gv, { dBeta: dBetaOut, dGamma: dGammaOut, A, B, K });
    for (let p = 0; p < total; p += C)
      for (let c = 0; c < C; c++) {
        const g = yv[p + c] > 0 ? dyv[p + c] : 0;
        dx[p + c] = g * A[c] + (xv[p + c] - mv[c]) * B[c] + K[c];
      }
    return infos;
  };
}

/** Register both kernels for `backendName` (idempotent). */
export function registerBnReluKernels(backendName: 'wasm' | 'cpu'): void {
  if (!tf.getKernel(BN_RELU_FORWARD, backendName))
    tf.registerKernel({
      kernelName: BN_RELU_FORWARD,
      backendName,
      kernelFunc: forwardKernel(backendName) as unknown as tf.KernelFunc,
    });
  if (!tf.getKernel(BN_RELU_BACKWARD, backendName))
    tf.registerKernel({
      kernelName: BN_RELU_BACKWARD,
      backendName,
      kernelFunc: backwardKernel(backendName) as unknown as tf.KernelFunc,
    });
}

/** Whether the active backend has the fused kernels (registered for it). */
export function fusedBnReluAvailable(): boolean {
  const b = tf.getBackend();
  return (b === 'wasm' || b === 'cpu') && tf.getKernel(BN_RELU_FORWARD, b) !== undefined;
}

/** Fused forward (see the file comment). @returns y [N,H,W,C], mean, invStd and biased variance [C]. */
export function bnReluForward(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
): { y: tf.Tensor4D; mean: tf.Tensor1D; invStd: tf.Tensor1D; variance: tf.Tensor1D } {
  const [y, mean, invStd, variance] = tf
    .engine()
    .runKernel(BN_RELU_FORWARD, { x, gamma, beta }, {}) as tf.Tensor[];
  return {
    y: y as tf.Tensor4D,
    mean: mean as tf.Tensor1D,
    invStd: invStd as tf.Tensor1D,
    variance: variance as tf.Tensor1D,
  };
}

/** Fused backward (see the file comment). @returns dx [N,H,W,C], dGamma and dBeta [C]. */
export function bnReluBackward(
  dy: tf.Tensor4D,
  y: tf.Tensor4D,
  x: tf.Tensor4D,
  mean: tf.Tensor1D,
  invStd: tf.Tensor1D,
  gamma: tf.Tensor,
  scale: number,
): { dx: tf.Tensor4D; dGamma: tf.Tensor1D; dBeta: tf.Tensor1D } {
  const [dx, dGamma, dBeta] = tf
    .engine()
    .runKernel(BN_RELU_BACKWARD, { dy, y, x, mean, invStd, gamma }, { scale }) as tf.Tensor[];
  return { dx: dx as tf.Tensor4D, dGamma: dGamma as tf.Tensor1D, dBeta: dBeta as tf.Tensor1D };
}

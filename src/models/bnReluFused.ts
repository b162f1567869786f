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
    const a = new Float64Array(C);
    const shift = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const variance = Math.fround(sq[c] / n);
      const inv = Math.fround(1 / Math.sqrt(Math.fround(variance + BN_EPSILON)));
      meanOut[c] = mean[c];
      varOut[c] = variance;
      invOut[c] = inv;
      a[c] = Math.fround(gv[c] * inv);
      shift[c] = bv[c];
    }
    for (let p = 0; p < total; p += C)
      for (let c = 0; c < C; c++) {
        const v = (xv[p + c] - mean[c]) * a[c] + shift[c];
        y[p + c] = v > 0 ? v : 0;
      }
    return infos;
  };
}

/** The forward kernel on tfjs-wasm's heap with the SIMD loops (same arithmetic as the loop version above). */
function forwardSimd(
  k: BnSimd,
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  gamma: tf.TensorInfo,
  beta: tf.TensorInfo,
): tf.TensorInfo[] {
  const C = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / C;
  const c4 = C / 4;
  // Scratch [4, C]: mean, a = γ·invStd, β, accumulator.
  const {
    inputs: ins,
    outputs,
    infos,
  } = io('wasm', backend, [x, gamma, beta], [x.shape, [C], [C], [C], [4 * C]]);
  const [xv, gv, bv] = ins;
  const [y, meanOut, invOut, varOut, scratch] = outputs;
  const at = (v: Float32Array, i = 0) => v.byteOffset + 4 * i;
  const acc = scratch.subarray(3 * C, 4 * C);
  try {
    const sum = new Float64Array(C);
    blockSums(rows, C, acc, [sum], (r0, nr) => k.colSum(at(xv, r0 * C), nr, c4, at(acc)));
    for (let c = 0; c < C; c++) scratch[c] = meanOut[c] = sum[c] / rows;
    const sq = new Float64Array(C);
    blockSums(rows, C, acc, [sq], (r0, nr) => k.colSumSqDiff(at(xv, r0 * C), at(scratch), nr, c4, at(acc)));
    for (let c = 0; c < C; c++) {
      const variance = Math.fround(sq[c] / rows);
      const inv = Math.fround(1 / Math.sqrt(Math.fround(variance + BN_EPSILON)));
      varOut[c] = variance;
      invOut[c] = inv;
      scratch[C + c] = gv[c] * inv;
      scratch[2 * C + c] = bv[c];
    }
    k.affineRelu(at(xv), at(scratch), at(scratch, C), at(scratch, 2 * C), at(y), rows, c4);
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
  const C = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / C;
  const c4 = C / 4;
  // Scratch [5, C]: A, B, K, accG, accGX.
  const {
    inputs: ins,
    outputs,
    infos,
  } = io('wasm', backend, [dy, y, x, mean, invStd, gamma], [x.shape, [C], [C], [5 * C]]);
  const [dyv, yv, xv, mv, iv, gv] = ins;
  const [dx, dGammaOut, dBetaOut, scratch] = outputs;
  const at = (v: Float32Array, i = 0) => v.byteOffset + 4 * i;
  const acc = scratch.subarray(3 * C, 5 * C);
  try {
    const sg = new Float64Array(C);
    const sgx = new Float64Array(C);
    blockSums(rows, C, acc, [sg, sgx], (r0, nr) =>
      k.backSums(at(dyv, r0 * C), at(yv, r0 * C), at(xv, r0 * C), at(mv), nr, c4, at(acc), at(acc, C)),
    );
    for (let c = 0; c < C; c++) {
      const dB = sg[c] * scale;
      const dG = sgx[c] * iv[c] * scale;
      dBetaOut[c] = dB;
      dGammaOut[c] = dG;
      const gInv = gv[c] * iv[c];
      scratch[c] = gInv * scale;
      scratch[C + c] = (-gInv * iv[c] * dG) / rows;
      scratch[2 * C + c] = (-gInv * dB) / rows;
    }
    k.backDx(
      at(dyv),
      at(yv),
      at(xv),
      at(mv),
      at(scratch),
      at(scratch, C),
      at(scratch, 2 * C),
      at(dx),
      rows,
      c4,
    );
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
    for (let c = 0; c < C; c++) {
      const dB = sg[c] * scale;
      const dG = sgx[c] * iv[c] * scale;
      dBetaOut[c] = dB;
      dGammaOut[c] = dG;
      const gInv = gv[c] * iv[c];
      A[c] = gInv * scale;
      B[c] = (-gInv * iv[c] * dG) / n;
      K[c] = (-gInv * dB) / n;
    }
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

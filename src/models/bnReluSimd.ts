/**
 * WebAssembly SIMD loops for the fused BN+ReLU kernels on the tfjs 'wasm' backend (bnReluFused.ts), generated at
 * run time with the toy engine's emitter and instantiated over tfjs-wasm's OWN memory, so they read and write
 * tensors in place. NHWC rows of C channels, C a multiple of 4 (`c4` = C/4 vectors per row); every pointer is a
 * byte offset into that memory; "row" pointers advance over `rows` rows, "channel" pointers ([C] vectors) are
 * the same for every row.
 *
 * - `colSum(x, rows, c4, acc)`: acc[c] += Σ_r x[r, c] (float32; the caller sums blocks of rows into float64).
 * - `colSumSqDiff(x, m, rows, c4, acc)`: acc[c] += Σ_r (x[r, c] − m[c])².
 * - `affineRelu(x, m, a, b, y, rows, c4)`: y = max(0, (x − m)·a + b).
 * - `backSums(dy, y, x, m, rows, c4, accG, accGX)`: with g = y > 0 ? dy : 0, accG += Σ g, accGX += Σ g·(x − m).
 * - `backDx(dy, y, x, m, A, B, K, dx, rows, c4)`: dx = g·A + (x − m)·B + K.
 */
import {
  T,
  addTo,
  buildModule,
  countDown,
  op,
  type Bytes,
  type FuncDef,
  type ValType,
} from './fastMlp/wasmEmit';

interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface BnSimd {
  colSum(x: number, rows: number, c4: number, acc: number): void;
  colSumSqDiff(x: number, m: number, rows: number, c4: number, acc: number): void;
  affineRelu(x: number, m: number, a: number, b: number, y: number, rows: number, c4: number): void;
  backSums(
    dy: number,
    y: number,
    x: number,
    m: number,
    rows: number,
    c4: number,
    accG: number,
    accGX: number,
  ): void;
  backDx(
    dy: number,
    y: number,
    x: number,
    m: number,
    A: number,
    B: number,
    K: number,
    dx: number,
    rows: number,
    c4: number,
  ): void;
}

/**
 * `for rows { off = 0; for c4 { body; row pointers += 16; off += 16 } }`. Row pointers are parameters advanced
 * in place; channel vectors are read at `base + off`.
 */
function rowChannelLoop(
  name: string,
  nParams: number,
  rowPtrs: number[],
  rowsParam: number,
  c4Param: number,
  extraLocals: ValType[],
  body: (chan: (base: number) => Bytes) => Bytes,
): FuncDef {
  const r = nParams;
  const q = nParams + 1;
  const off = nParams + 2;
  const chan = (base: number): Bytes => [...op.get(base), ...op.get(off), ...op.i32Add];
  return {
    name,
    params: new Array<ValType>(nParams).fill(T.i32),
    locals: [T.i32, T.i32, T.i32, ...extraLocals],
    body: [
      ...op.get(rowsParam),
      ...op.set(r),
      ...countDown(r, [
        ...op.i32(0),
        ...op.set(off),
        ...op.get(c4Param),
        ...op.set(q),
        ...countDown(q, [...body(chan), ...[...rowPtrs, off].flatMap((p) => addTo(p, 16))]),
      ]),
    ],
  };
}

const load = (ptr: Bytes): Bytes => [...ptr, ...op.v128Load()];
/** acc[chan] += value (value: bytes leaving one v128 on the stack). */
const accumulate = (accPtr: Bytes, value: Bytes): Bytes => [
  ...accPtr,
  ...load(accPtr),
  ...value,
  ...op.f32x4Add,
  ...op.v128Store(),
];

function defs(): FuncDef[] {
  // colSum(x0, rows1, c42, acc3)
  const colSum = rowChannelLoop('colSum', 4, [0], 1, 2, [], (ch) => accumulate(ch(3), load(op.get(0))));
  // colSumSqDiff(x0, m1, rows2, c43, acc4); local 8: d
  const colSumSqDiff = rowChannelLoop('colSumSqDiff', 5, [0], 2, 3, [T.v128], (ch) => [
    ...load(op.get(0)),
    ...load(ch(1)),
    ...op.f32x4Sub,
    ...op.set(8),
    ...accumulate(ch(4), [...op.get(8), ...op.get(8), ...op.f32x4Mul]),
  ]);
  // affineRelu(x0, m1, a2, b3, y4, rows5, c46)
  const affineRelu = rowChannelLoop('affineRelu', 7, [0, 4], 5, 6, [], (ch) => [
    ...op.get(4),
    ...load(op.get(0)),
    ...load(ch(1)),
    ...op.f32x4Sub,
    ...load(ch(2)),
    ...op.f32x4Mul,
    ...load(ch(3)),
    ...op.f32x4Add,
    ...op.v128Zero,
    ...op.f32x4Max,
    ...op.v128Store(),
  ]);
  /** g = dy & (y > 0) from row pointers dy, y. */
  const masked = (dy: number, y: number): Bytes => [
    ...load(op.get(dy)),
    ...load(op.get(y)),
    ...op.v128Zero,
    ...op.f32x4Gt,
    ...op.v128And,
  ];
  // backSums(dy0, y1, x2, m3, rows4, c45, accG6, accGX7); local 11: g
  const backSums = rowChannelLoop('backSums', 8, [0, 1, 2], 4, 5, [T.v128], (ch) => [
    ...masked(0, 1),
    ...op.set(11),
    ...accumulate(ch(6), op.get(11)),
    ...accumulate(ch(7), [...op.get(11), ...load(op.get(2)), ...load(ch(3)), ...op.f32x4Sub, ...op.f32x4Mul]),
  ]);
  // backDx(dy0, y1, x2, m3, A4, B5, K6, dx7, rows8, c49)
  const backDx = rowChannelLoop('backDx', 10, [0, 1, 2, 7], 8, 9, [], (ch) => [
    ...op.get(7),
    ...masked(0, 1),
    ...load(ch(4)),
    ...op.f32x4Mul,
    ...load(op.get(2)),
    ...load(ch(3)),
    ...op.f32x4Sub,
    ...load(ch(5)),
    ...op.f32x4Mul,
    ...op.f32x4Add,
    ...load(ch(6)),
    ...op.f32x4Add,
    ...op.v128Store(),
  ]);
  return [colSum, colSumSqDiff, affineRelu, backSums, backDx];
}

const instances = new WeakMap<object, BnSimd>();
const modules = new Map<string, object>();

/** The kernels instantiated over `memory` (cached per memory). Throws where WebAssembly SIMD is unavailable. */
export function bnSimdFor(memory: WasmMemory & object): BnSimd {
  let k = instances.get(memory);
  if (k) return k;
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer
      ? 65536
      : undefined;
  const key = shared ? 'shared' : 'plain';
  let mod = modules.get(key);
  if (!mod) {
    mod = new WA.Module(buildModule(defs(), 1, shared));
    modules.set(key, mod);
  }
  k = new WA.Instance(mod, { env: { mem: memory } }).exports as unknown as BnSimd;
  instances.set(memory, k);
  return k;
}

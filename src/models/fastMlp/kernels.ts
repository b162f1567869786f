/**
 * The toy MLP's compute kernels as WebAssembly SIMD, generated for the layer widths in use (every width padded to
 * a multiple of 4 floats). All pointers are byte offsets into the module's memory; matrices are row-major float32.
 *
 * - `gemm{O}[_bias][_relu](a, sAm, sAk, b, c, M, K, bias)`: C[M, O] = A·B (+ bias row) (ReLU), where
 *   A(m, k) = f32 at a + m·sAm + k·sAk (byte strides, so Aᵀ or a broadcast row are the same kernel), B [K, O] and
 *   C [M, O] contiguous. Forward (A = X, B = W), input gradient (A = ∂Y, B = Wᵀ), weight gradient (A = Xᵀ,
 *   B = ∂Y) and bias gradient (A = a row of ones with sAk = 0, M = 1) are all this one kernel. Register-blocked:
 *   2 rows × 16 columns of C live in 8 v128 accumulators while k runs; A is read with v128.load32_splat.
 * - `reluMask(dy, y, n)`: dy[i] = y[i] > 0 ? dy[i] : 0 for n floats (n a multiple of 4); the ReLU derivative
 *   as tfjs defines it (0 at y = 0).
 * - `adam(p, g, m, v, n, lr, b1, b2, c1, c2, eps)`: tfjs's Adam update on n floats, in its order of operations:
 *   m ← b1·m + (1−b1)·g, v ← b2·v + (1−b2)·g², p ← p − lr·(m/c1)/(√(v/c2) + eps), c1/c2 = 1 − β^t; m and v are
 *   flushed to 0 below the smallest normal float (a moment decaying towards 0 otherwise spends ~50 steps as a
 *   subnormal, on x86's ~100× slower path; its contribution to the step is < 1e-30·lr either way).
 */
import {
  T,
  addTo,
  buildModule,
  op,
  vectorLoop,
  whileNot,
  type Bytes,
  type FuncDef,
  type ValType,
} from './wasmEmit';

/** Rows of C per register block. */
const ROWS = 2;
/** v128 vectors (4 columns each) of C per register block. Measured here (V8, 600×64×64 products): 2×4 → 11–12
 * GMAC/s; 3×4, 4×2, 3×3, 1×8 → 8–10; 4×4, 2×8 → 3–6 (spills). */
const VECS = 4;
/** k iterations per loop trip. Measured here (V8, 64×64): 1 → 14 GMAC/s, 2 → 12, 4 → 11, 8 → 11 (more live
 * values than registers), so no unrolling. */
const UNROLL = 1;

/** The part of the WebAssembly JS API used here (src/models is compiled without the DOM lib that declares it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Kernel exports of one instantiated module. */
export interface MlpKernels {
  memory: WasmMemory;
  gemm(width: number, bias: boolean, relu: boolean): GemmFn;
  reluMask(dy: number, y: number, n: number): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    lr: number,
    b1: number,
    b2: number,
    c1: number,
    c2: number,
    eps: number,
  ): void;
}
export type GemmFn = (
  a: number,
  sAm: number,
  sAk: number,
  b: number,
  c: number,
  M: number,
  K: number,
  bias: number,
) => void;

/** Pad a width to the kernels' multiple of 4. */
export const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

/** The gemm kernel for output width `O` (a multiple of 4), optionally adding a bias row and applying ReLU. */
function gemmDef(O: number, bias: boolean, relu: boolean): FuncDef {
  // params: 0 a, 1 sAm, 2 sAk, 3 b, 4 c, 5 M, 6 K, 7 biasPtr
  const [A, SAM, SAK, B, C, M, K, BIAS] = [0, 1, 2, 3, 4, 5, 6, 7];
  const locals: ValType[] = [];
  const local = (t: ValType) => 8 + locals.push(t) - 1;
  const m0 = local(T.i32);
  const k = local(T.i32);
  const pb = local(T.i32);
  const pc = local(T.i32);
  const pa = Array.from({ length: ROWS }, () => local(T.i32));
  const s = Array.from({ length: ROWS }, () => local(T.v128));
  const w = local(T.v128);
  const acc = Array.from({ length: ROWS * VECS }, () => local(T.v128));

  /** Pushes base + (m0 + r)·stride, stride pushed by `stride`. */
  const rowPtr = (base: number, r: number, stride: Bytes): Bytes => [
    ...op.get(base),
    ...op.get(m0),
    ...op.i32(r),
    ...op.i32Add,
    ...stride,
    ...op.i32Mul,
    ...op.i32Add,
  ];
  /** C rows m0 .. m0+R−1, all column blocks. */
  const rowsBody = (R: number): Bytes => {
    const out: Bytes = [];
    for (let ob = 0; ob < O; ob += 4 * VECS) {
      const V = Math.min(VECS, (O - ob) / 4);
      for (let r = 0; r < R; r++) {
        for (let q = 0; q < V; q++) {
          out.push(
            ...(bias ? [...op.get(BIAS), ...op.v128Load(4 * (ob + 4 * q))] : op.v128Zero),
            ...op.set(acc[r * VECS + q]),
          );
        }
        // pa_r = a + (m0 + r)·sAm
        out.push(...rowPtr(A, r, op.get(SAM)), ...op.set(pa[r]));
      }
      out.push(...op.get(B), ...op.i32(4 * ob), ...op.i32Add, ...op.set(pb));
      out.push(...op.get(K), ...op.set(k));
      /** One k: acc[r][q] += A(m0 + r, k) · B[k, ob + 4q …], then advance the A and B pointers. */
      const kStep = (): Bytes => {
        const o: Bytes = [];
        for (let r = 0; r < R; r++) o.push(...op.get(pa[r]), ...op.v128Load32Splat(), ...op.set(s[r]));
        for (let q = 0; q < V; q++) {
          o.push(...op.get(pb), ...op.v128Load(16 * q), ...op.set(w));
          for (let r = 0; r < R; r++) {
            const a = acc[r * VECS + q];
            o.push(...op.get(a), ...op.get(s[r]), ...op.get(w), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(a));
          }
        }
        for (let r = 0; r < R; r++) o.push(...addTo(pa[r], op.get(SAK)));
        o.push(...addTo(pb, 4 * O));
        return o;
      };
      // while (k ≥ UNROLL) { UNROLL × kStep; k −= UNROLL }  then  while (k > 0) { kStep; k −= 1 }
      const unrolled = Array.from({ length: UNROLL }, kStep).flat();
      out.push(
        ...whileNot([...op.get(k), ...op.i32(UNROLL), ...op.i32LtU], [...unrolled, ...addTo(k, -UNROLL)]),
      );
      out.push(...whileNot([...op.get(k), ...op.i32Eqz], [...kStep(), ...addTo(k, -1)]));
      for (let r = 0; r < R; r++) {
        // pc = c + ((m0 + r)·O + ob)·4
        out.push(...rowPtr(C, r, op.i32(4 * O)), ...op.i32(4 * ob), ...op.i32Add, ...op.set(pc));
        for (let q = 0; q < V; q++) {
          out.push(...op.get(pc), ...op.get(acc[r * VECS + q]));
          if (relu) out.push(...op.v128Zero, ...op.f32x4Max);
          out.push(...op.v128Store(16 * q));
        }
      }
    }
    return out;
  };
  /** while (m0 + R ≤ M) { rows; m0 += R } */
  const rowLoop = (R: number): Bytes =>
    whileNot(
      [...op.get(m0), ...op.i32(R), ...op.i32Add, ...op.get(M), ...op.i32GtU],
      [...rowsBody(R), ...addTo(m0, R)],
    );
  return {
    name: gemmName(O, bias, relu),
    params: new Array(8).fill(T.i32),
    locals,
    body: [...op.i32(0), ...op.set(m0), ...rowLoop(ROWS), ...rowLoop(1)],
  };
}

const gemmName = (O: number, bias: boolean, relu: boolean) =>
  `gemm${O}${bias ? '_bias' : ''}${relu ? '_relu' : ''}`;

function reluMaskDef(): FuncDef {
  // params: 0 dy, 1 y, 2 n (floats); local 3 end pointer of dy
  const [DY, Y, N, end] = [0, 1, 2, 3];
  return {
    name: 'reluMask',
    params: [T.i32, T.i32, T.i32],
    locals: [T.i32],
    body: vectorLoop(
      N,
      end,
      [DY, Y],
      [
        ...op.get(DY),
        ...op.get(DY),
        ...op.v128Load(),
        ...op.get(Y),
        ...op.v128Load(),
        ...op.v128Zero,
        ...op.f32x4Gt,
        ...op.v128And,
        ...op.v128Store(),
      ],
    ),
  };
}

function adamDef(): FuncDef {
  // params: 0 p, 1 g, 2 m, 3 v, 4 n, 5 lr, 6 b1, 7 b2, 8 c1, 9 c2, 10 eps (f32); locals: 11 end, 12.. v128
  const [P, G, Mm, Vv, N, LR, B1, B2, C1, C2, EPS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const end = 11;
  const [g, m, v, lr, b1, b2, c1, c2, eps, ob1, ob2, tmp, fltMin] = [
    12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
  ];
  const splat = (src: number, dst: number): Bytes => [...op.get(src), ...op.f32x4Splat, ...op.set(dst)];
  const splatOneMinus = (src: number, dst: number): Bytes => [
    ...op.f32(1),
    ...op.get(src),
    ...op.f32Sub(),
    ...op.f32x4Splat,
    ...op.set(dst),
  ];
  /** x (on the stack) with |x| < FLT_MIN set to 0: x & (|x| ≥ FLT_MIN). Uses local `tmp`. */
  const ftz = (): Bytes => [
    ...op.tee(tmp),
    ...op.get(tmp),
    ...op.f32x4Abs,
    ...op.get(fltMin),
    ...op.f32x4Ge,
    ...op.v128And,
  ];
  /** *ptr = ftz(*ptr·decay + gTerm·oneMinus), also kept in local `out` (gTerm pushes g or g²). */
  const moment = (ptr: number, decay: number, gTerm: Bytes, oneMinus: number, out: number): Bytes => [
    ...op.get(ptr),
    ...op.get(ptr),
    ...op.v128Load(),
    ...op.get(decay),
    ...op.f32x4Mul,
    ...gTerm,
    ...op.get(oneMinus),
    ...op.f32x4Mul,
    ...op.f32x4Add,
    ...ftz(),
    ...op.tee(out),
    ...op.v128Store(),
  ];
  return {
    name: 'adam',
    params: [T.i32, T.i32, T.i32, T.i32, T.i32, T.f32, T.f32, T.f32, T.f32, T.f32, T.f32],
    locals: [T.i32, ...new Array<ValType>(13).fill(T.v128)],
    body: [
      ...splat(LR, lr),
      ...splat(B1, b1),
      ...splat(B2, b2),
      ...splat(C1, c1),
      ...splat(C2, c2),
      ...splat(EPS, eps),
      ...splatOneMinus(B1, ob1),
      ...splatOneMinus(B2, ob2),
      ...op.f32(1.1754943508222875e-38),
      ...op.f32x4Splat,
      ...op.set(fltMin),
      ...vectorLoop(
        N,
        end,
        [P, G, Mm, Vv],
        [
          ...op.get(G),
          ...op.v128Load(),
          ...op.set(g),
          // m = m·b1 + g·(1−b1)
          ...moment(Mm, b1, op.get(g), ob1, m),
          // v = v·b2 + g²·(1−b2)
          ...moment(Vv, b2, [...op.get(g), ...op.get(g), ...op.f32x4Mul], ob2, v),
          // p = (m/c1) / (√(v/c2) + eps) · (−lr) + p
          ...op.get(P),
          ...op.get(m),
          ...op.get(c1),
          ...op.f32x4Div,
          ...op.get(v),
          ...op.get(c2),
          ...op.f32x4Div,
          ...op.f32x4Sqrt,
          ...op.get(eps),
          ...op.f32x4Add,
          ...op.f32x4Div,
          ...op.v128Zero,
          ...op.get(lr),
          ...op.f32x4Sub,
          ...op.f32x4Mul,
          ...op.get(P),
          ...op.v128Load(),
          ...op.f32x4Add,
          ...op.v128Store(),
        ],
      ),
    ],
  };
}

const moduleCache = new Map<string, object>();

/**
 * Compile (once per set of widths, cached) and instantiate the kernels over a fresh memory of `bytes` bytes.
 * @param widths every output width a gemm is called with (padded to 4 here); each gets plain, +bias and
 *   +bias+ReLU variants.
 */
export function instantiateKernels(widths: number[], bytes: number): MlpKernels {
  const ws = [...new Set(widths.map(pad4))].sort((a, b) => a - b);
  const key = ws.join(',');
  let mod = moduleCache.get(key);
  if (!mod) {
    const defs: FuncDef[] = [reluMaskDef(), adamDef()];
    for (const O of ws) defs.push(gemmDef(O, false, false), gemmDef(O, true, false), gemmDef(O, true, true));
    mod = new WA.Module(buildModule(defs));
    moduleCache.set(key, mod);
  }
  const memory = new WA.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const ex = new WA.Instance(mod, { env: { mem: memory } }).exports as Record<
    string,
    (...a: number[]) => void
  >;
  return {
    memory,
    gemm: (width, bias, relu) => {
      const f = ex[gemmName(pad4(width), bias, relu)];
      if (!f)
        throw new Error(`no gemm kernel for width ${width}${bias ? ' +bias' : ''}${relu ? ' +relu' : ''}`);
      if (relu && !bias) throw new Error('gemm: ReLU variant exists with bias only');
      return f as GemmFn;
    },
    reluMask: ex.reluMask as MlpKernels['reluMask'],
    adam: ex.adam as MlpKernels['adam'],
  };
}

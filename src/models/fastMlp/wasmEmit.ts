/**
 * A minimal WebAssembly binary writer: just enough to emit the toy MLP's SIMD kernels at run time (no build
 * tool, no binary in the repository). Functions are written as byte arrays with the helpers below; `buildModule`
 * wraps them with one imported memory (`env.mem`) and exports every function by name.
 * Encoding per the WebAssembly core spec (binary format, 2.0 + fixed-width SIMD).
 */

export type Bytes = number[];

/** Value types. */
export const T = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
export type ValType = (typeof T)[keyof typeof T];

/** Unsigned LEB128. */
export function uleb(n: number): Bytes {
  const out: Bytes = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): Bytes {
  const out: Bytes = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const utf8 = (s: string): Bytes => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const vec = (items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: Bytes): Bytes => [id, ...uleb(body.length), ...body];
const simd = (op: number): Bytes => [0xfd, ...uleb(op)];
/** memarg: alignment exponent and constant byte offset. */
const memarg = (align: number, offset: number): Bytes => [...uleb(align), ...uleb(offset)];

/** Instruction helpers (each returns its encoding). */
export const op = {
  get: (i: number): Bytes => [0x20, ...uleb(i)],
  set: (i: number): Bytes => [0x21, ...uleb(i)],
  tee: (i: number): Bytes => [0x22, ...uleb(i)],
  i32: (v: number): Bytes => [0x41, ...sleb(v)],
  f32: (v: number): Bytes => {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return [0x43, ...b];
  },
  f32Sub: (): Bytes => [0x93],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Eqz: [0x45],
  i32GtU: [0x4b],
  i32LtU: [0x49],
  i32GeU: [0x4f],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number): Bytes => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Bytes => [0x0d, ...uleb(depth)],
  f32Load: (offset = 0): Bytes => [0x2a, ...memarg(2, offset)],
  f32Store: (offset = 0): Bytes => [0x38, ...memarg(2, offset)],
  v128Load: (offset = 0): Bytes => [...simd(0x00), ...memarg(4, offset)],
  /** v128.load32_splat: one f32 from memory into all four lanes. */
  v128Load32Splat: (offset = 0): Bytes => [...simd(0x09), ...memarg(2, offset)],
  v128Store: (offset = 0): Bytes => [...simd(0x0b), ...memarg(4, offset)],
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Splat: simd(0x13),
  f32x4Gt: simd(0x44),
  f32x4Ge: simd(0x46),
  f32x4Abs: simd(0xe0),
  v128And: simd(0x4e),
  f32x4Sqrt: simd(0xe3),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
  f32x4Max: simd(0xe9),
};

/** `local += delta` for an i32 local; `delta` is a constant (a negative one is emitted as `i32.sub`) or
 * instructions that push the i32 increment. */
export function addTo(local: number, delta: number | Bytes): Bytes {
  const step =
    typeof delta !== 'number'
      ? [...delta, ...op.i32Add]
      : delta < 0
        ? [...op.i32(-delta), ...op.i32Sub]
        : [...op.i32(delta), ...op.i32Add];
  return [...op.get(local), ...step, ...op.set(local)];
}

/** `while (!exit) { body }`: `exit` (instructions leaving an i32) is tested before every trip. */
export const whileNot = (exit: Bytes, body: Bytes): Bytes => [
  ...op.block,
  ...op.loop,
  ...exit,
  ...op.brIf(1),
  ...body,
  ...op.br(0),
  ...op.end,
  ...op.end,
];

/** `while (counter != 0) { body; counter -= 1 }` over an i32 local. */
export const countDown = (counter: number, body: Bytes): Bytes =>
  whileNot([...op.get(counter), ...op.i32Eqz], [...body, ...addTo(counter, -1)]);

/**
 * A pass over `n` floats (n a multiple of 4) in v128 steps: `end = ptrs[0] + 4·n; if (n != 0) do { body; every
 * pointer in ptrs += 16 } while (ptrs[0] < end)`. `n` and `end` are i32 locals, `ptrs` i32 locals of byte
 * offsets that advance together.
 */
export const vectorLoop = (n: number, end: number, ptrs: number[], body: Bytes): Bytes => [
  ...op.get(ptrs[0]),
  ...op.get(n),
  ...op.i32(4),
  ...op.i32Mul,
  ...op.i32Add,
  ...op.set(end),
  ...op.block,
  ...op.get(n),
  ...op.i32Eqz,
  ...op.brIf(0),
  ...op.loop,
  ...body,
  ...ptrs.flatMap((p) => addTo(p, 16)),
  ...op.get(ptrs[0]),
  ...op.get(end),
  ...op.i32GeU,
  ...op.i32Eqz,
  ...op.brIf(0),
  ...op.end,
  ...op.end,
];

/** One function: parameter and result types, extra locals, and its body (without the final `end`). */
export interface FuncDef {
  name: string;
  params: ValType[];
  results?: ValType[];
  locals: ValType[];
  body: Bytes;
}

/**
 * A module importing `env.mem` (a memory of at least `minPages` 64-KiB pages; with `sharedMaxPages`, a shared
 * memory of at most that many pages, as a threaded Emscripten build creates) and exporting every function.
 */
export function buildModule(funcs: FuncDef[], minPages = 1, sharedMaxPages?: number): Uint8Array {
  const types = vec(
    funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec((f.results ?? []).map((t) => [t]))]),
  );
  const limits =
    sharedMaxPages === undefined
      ? [0x00, ...uleb(minPages)]
      : [0x03, ...uleb(minPages), ...uleb(sharedMaxPages)];
  const imports = vec([[...utf8('env'), ...utf8('mem'), 0x02, ...limits]]);
  const fnSec = vec(funcs.map((_, i) => uleb(i)));
  const exports = vec(funcs.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]));
  const code = vec(
    funcs.map((f) => {
      const locals = vec(f.locals.map((t) => [1, t]));
      const body = [...locals, ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, fnSec),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

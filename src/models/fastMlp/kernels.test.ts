import { describe, expect, it } from 'vitest';
import { instantiateKernels, pad4 } from './kernels';
import { Random } from '../../core/random';

/** Naive float64 reference of C = A·B (+bias) (ReLU) with A given by an element function. */
function reference(
  a: (m: number, k: number) => number,
  b: Float32Array,
  M: number,
  K: number,
  O: number,
  bias: Float32Array | null,
  relu: boolean,
) {
  const c = new Float64Array(M * O);
  for (let m = 0; m < M; m++)
    for (let o = 0; o < O; o++) {
      let s = bias ? bias[o] : 0;
      for (let k = 0; k < K; k++) s += a(m, k) * b[k * O + o];
      c[m * O + o] = relu ? Math.max(0, s) : s;
    }
  return c;
}

describe('toy MLP WebAssembly kernels', () => {
  const rng = new Random(11);
  // Widths exercise 1, 3 and 4 vectors per register block and several blocks; M odd exercises the 1-row tail.
  for (const [M, K, O] of [
    [7, 4, 4],
    [13, 12, 12],
    [33, 64, 64],
    [5, 20, 20],
    [1, 64, 4],
    [0, 4, 4],
  ]) {
    it(`gemm ${M}×${K} · ${K}×${O}: row-major, transposed and broadcast A, with bias/ReLU, to fp32 accuracy`, () => {
      const k = instantiateKernels([O], 4 * (M * K + K * O + 2 * M * O + O + 64));
      const f = new Float32Array(k.memory.buffer);
      const A = 0;
      const B = M * K;
      const C = B + K * O;
      const BIAS = C + M * O;
      f.set(rng.uniformArray(M * K, -1, 1), A);
      f.set(rng.uniformArray(K * O, -1, 1), B);
      f.set(rng.uniformArray(O, -1, 1), BIAS);
      const b = f.slice(B, B + K * O);
      const bias = f.slice(BIAS, BIAS + O);
      const check = (got: Float32Array, want: Float64Array) =>
        want.forEach((v, i) =>
          expect(Math.abs(got[i] - v)).toBeLessThan(1e-5 * (1 + Math.abs(v)) * Math.sqrt(K + 1)),
        );
      const x = f.slice(A, A + M * K);
      for (const [useBias, relu] of [
        [false, false],
        [true, false],
        [true, true],
      ] as const) {
        f.fill(NaN, C, C + M * O);
        k.gemm(O, useBias, relu)(4 * A, 4 * K, 4, 4 * B, 4 * C, M, K, 4 * BIAS);
        check(
          f.subarray(C, C + M * O),
          reference((m, kk) => x[m * K + kk], b, M, K, O, useBias ? bias : null, relu),
        );
      }
      // Transposed A: element (m, k) at A + m + k·M (A stored as [K, M]).
      f.fill(NaN, C, C + M * O);
      k.gemm(O, false, false)(4 * A, 4, 4 * M, 4 * B, 4 * C, M, K, 0);
      check(
        f.subarray(C, C + M * O),
        reference((m, kk) => x[m + kk * M], b, M, K, O, null, false),
      );
    });
  }

  it('reluMask zeroes the gradient where y ≤ 0 (0 at y = 0, as tfjs)', () => {
    const k = instantiateKernels([4], 1024);
    const f = new Float32Array(k.memory.buffer);
    f.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
    f.set([0.5, 0, -1, 2, -0, 3, -2, 1e-30], 8);
    k.reluMask(0, 32, 8);
    expect(Array.from(f.subarray(0, 8))).toEqual([1, 0, 0, 4, 0, 6, 0, 8]);
  });

  it('pads widths to multiples of 4', () => {
    expect([1, 2, 3, 4, 5, 64].map(pad4)).toEqual([4, 4, 4, 4, 8, 64]);
  });
});

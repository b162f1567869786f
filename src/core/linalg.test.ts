import { describe, expect, it } from 'vitest';
import { Random } from './random';
import {
  cholesky,
  fromRows,
  lowerTriangularInverse,
  matmul,
  pinv,
  spdInverse,
  symmetricEigen,
  transpose,
  type Matrix,
} from './linalg';

function expectMatClose(a: Matrix, b: Matrix, tol: number): void {
  expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
  a.data.forEach((v, i) =>
    expect(Math.abs(v - b.data[i]), `entry ${i}: ${v} vs ${b.data[i]}`).toBeLessThan(tol),
  );
}

function randomMatrix(rng: Random, r: number, c: number): Matrix {
  return { data: Float64Array.from({ length: r * c }, () => rng.normal()), rows: r, cols: c };
}

const eye = (n: number) =>
  fromRows(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => +(i === j))));

describe('linalg', () => {
  it('cholesky and spdInverse on a hand-checkable 3×3', () => {
    // A = L·Lᵀ with L = [[2,0,0],[1,3,0],[0,1,1]]
    const a = fromRows([
      [4, 2, 0],
      [2, 10, 3],
      [0, 3, 2],
    ]);
    expectMatClose(
      cholesky(a),
      fromRows([
        [2, 0, 0],
        [1, 3, 0],
        [0, 1, 1],
      ]),
      1e-15,
    );
    // adjugate / det: det = 4·(20−9) − 2·(4−0) = 36
    const inv = fromRows([
      [11 / 36, -4 / 36, 6 / 36],
      [-4 / 36, 8 / 36, -12 / 36],
      [6 / 36, -12 / 36, 36 / 36],
    ]);
    expectMatClose(spdInverse(a), inv, 1e-14);
    expect(() =>
      cholesky(
        fromRows([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toThrow(/not positive definite/);
    const l = cholesky(a);
    expectMatClose(matmul(l, lowerTriangularInverse(l)), eye(3), 1e-15);
  });

  it('symmetricEigen: [[2,1],[1,2]] by hand, and A·V = V·Λ, VᵀV = I, descending, on a random 40×40', () => {
    const e = symmetricEigen(
      fromRows([
        [2, 1],
        [1, 2],
      ]),
    );
    expect(e.values[0]).toBeCloseTo(3, 14);
    expect(e.values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(e.vectors.data[0])).toBeCloseTo(Math.SQRT1_2, 14); // (1,1)/√2 for λ = 3
    expect(e.vectors.data[0] * e.vectors.data[2]).toBeCloseTo(0.5, 14);

    const rng = new Random(3);
    const b = randomMatrix(rng, 40, 40);
    const a = matmul(b, transpose(b));
    const { values, vectors } = symmetricEigen(a);
    for (let k = 1; k < 40; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
    const lambda = fromRows(
      Array.from({ length: 40 }, (_, i) => Array.from({ length: 40 }, (_, j) => (i === j ? values[i] : 0))),
    );
    expectMatClose(matmul(a, vectors), matmul(vectors, lambda), 1e-10);
    expectMatClose(matmul(transpose(vectors), vectors), eye(40), 1e-12);
  });

  it('pinv: Moore–Penrose conditions on 3×5 and a rank-deficient 4×3, and inverse of a square one', () => {
    const rng = new Random(5);
    const a = randomMatrix(rng, 3, 5);
    const p = pinv(a);
    expect([p.rows, p.cols]).toEqual([5, 3]);
    expectMatClose(matmul(matmul(a, p), a), a, 1e-12);
    expectMatClose(matmul(matmul(p, a), p), p, 1e-12);
    const ap = matmul(a, p);
    expectMatClose(ap, transpose(ap), 1e-12);
    // rank 2: third column = first + second
    const r = fromRows([
      [1, 2, 3],
      [0, 1, 1],
      [2, 0, 2],
      [1, 1, 2],
    ]);
    const rp = pinv(r);
    expectMatClose(matmul(matmul(r, rp), r), r, 1e-12);
    const pa = matmul(rp, r);
    expectMatClose(pa, transpose(pa), 1e-12);
    const s = fromRows([
      [4, 2, 0],
      [2, 10, 3],
      [0, 3, 2],
    ]);
    expectMatClose(pinv(s), spdInverse(s), 1e-12);
  });
});

import { EigenvalueDecomposition, Matrix as MlMatrix, pseudoInverse } from 'ml-matrix';

/**
 * Small dense linear algebra on row-major typed arrays, for the detectors (dimensions up to a few hundred).
 * Everything is computed in float64. The symmetric eigen-decomposition and the pseudo-inverse come from ml-matrix
 * (a maintained port of JAMA: Householder tridiagonalisation + QL for symmetric matrices, Golub–Kahan SVD), which
 * is O(D³) and better tested than a hand-written Jacobi (whose sweeps would cost several times more). Measured in
 * Node on the shared 2-core dev box: eigen 128×128 ≈ 0.1 s, 640×640 ≈ 3.6 s (a one-off at fit time); Cholesky
 * inverse 640×640 ≈ 0.6 s. Cholesky and triangular inversion are a few lines and written here.
 */

/** Row-major matrix: element (i, j) is data[i·cols + j]. */
export interface Matrix {
  readonly data: Float32Array | Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** A float64 row-major matrix (what every function here returns). */
export interface Matrix64 extends Matrix {
  readonly data: Float64Array;
}

/** Wraps data as a matrix after checking its length. */
export function matrix<T extends Float32Array | Float64Array>(
  data: T,
  rows: number,
  cols: number,
): { data: T; rows: number; cols: number } {
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 0 && cols >= 0)) {
    throw new Error(`matrix: bad shape ${rows}×${cols}`);
  }
  if (data.length !== rows * cols)
    throw new Error(`matrix: ${data.length} values for a ${rows}×${cols} matrix`);
  return { data, rows, cols };
}

/** Builds a float64 matrix from nested arrays (rows). */
export function fromRows(rows: readonly (readonly number[])[]): Matrix64 {
  const r = rows.length;
  const c = r ? rows[0].length : 0;
  const data = new Float64Array(r * c);
  rows.forEach((row, i) => {
    if (row.length !== c) throw new Error(`fromRows: row ${i} has ${row.length} values, expected ${c}`);
    data.set(row, i * c);
  });
  return { data, rows: r, cols: c };
}

function toMl(a: Matrix): MlMatrix {
  const m = new MlMatrix(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) m.set(i, j, a.data[i * a.cols + j]);
  return m;
}

function fromMl(m: MlMatrix): Matrix64 {
  const data = new Float64Array(m.rows * m.columns);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) data[i * m.columns + j] = m.get(i, j);
  return { data, rows: m.rows, cols: m.columns };
}

/** C = A·B. */
export function matmul(a: Matrix, b: Matrix): Matrix64 {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}×${a.cols} times ${b.rows}×${b.cols}`);
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      const bo = k * b.cols;
      const oo = i * b.cols;
      for (let j = 0; j < b.cols; j++) out[oo + j] += aik * b.data[bo + j];
    }
  }
  return { data: out, rows: a.rows, cols: b.cols };
}

/** Aᵀ. */
export function transpose(a: Matrix): Matrix64 {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return { data: out, rows: a.cols, cols: a.rows };
}

function checkSquare(a: Matrix, what: string): number {
  if (a.rows !== a.cols) throw new Error(`${what}: matrix must be square, got ${a.rows}×${a.cols}`);
  return a.rows;
}

/**
 * Cholesky factor L (lower triangular, A = L·Lᵀ) of a symmetric positive-definite matrix; only the lower
 * triangle of A is read. @throws Error if A is not positive definite (a pivot ≤ 0 or NaN).
 */
export function cholesky(a: Matrix): Matrix64 {
  const n = checkSquare(a, 'cholesky');
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) {
      let s = a.data[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${j} is ${s})`);
        l[j * n + j] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  return { data: l, rows: n, cols: n };
}

/** Inverse of a lower-triangular matrix with non-zero diagonal (forward substitution, column by column). */
export function lowerTriangularInverse(l: Matrix): Matrix64 {
  const n = checkSquare(l, 'lowerTriangularInverse');
  const t = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= l.data[i * n + k] * t[k * n + c];
      t[i * n + c] = s / l.data[i * n + i];
    }
  }
  return { data: t, rows: n, cols: n };
}

/** Inverse of a symmetric positive-definite matrix via Cholesky: A⁻¹ = L⁻ᵀ·L⁻¹. @throws if not SPD. */
export function spdInverse(a: Matrix): Matrix64 {
  const t = lowerTriangularInverse(cholesky(a));
  return matmul(transpose(t), t);
}

/**
 * Eigen-decomposition of a symmetric matrix (only symmetric input is meaningful; it is symmetrised as (A+Aᵀ)/2).
 * @returns eigenvalues sorted **descending** and the eigenvectors as the **columns** of `vectors` (orthonormal),
 *   vectors[:, k] belonging to values[k]. Signs of eigenvectors are arbitrary, as in numpy.linalg.eigh.
 */
export function symmetricEigen(a: Matrix): { values: Float64Array; vectors: Matrix64 } {
  const n = checkSquare(a, 'symmetricEigen');
  const s = new MlMatrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) s.set(i, j, 0.5 * (a.data[i * n + j] + a.data[j * n + i]));
  }
  const evd = new EigenvalueDecomposition(s, { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const vecs = evd.eigenvectorMatrix;
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => vals[q] - vals[p]);
  const values = Float64Array.from(order, (k) => vals[k]);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) v[i * n + k] = vecs.get(i, order[k]);
  return { values, vectors: { data: v, rows: n, cols: n } };
}

/**
 * Moore–Penrose pseudo-inverse (SVD), with numpy's cutoff: singular values ≤ rcond·σ_max are treated as zero.
 * @param a m×n. @returns n×m.
 */
export function pinv(a: Matrix, rcond = 1e-15): Matrix64 {
  if (a.rows === 0 || a.cols === 0) return transpose(a);
  // ml-matrix's cutoff is threshold·max(m, n)·σ_max
  return fromMl(pseudoInverse(toMl(a), rcond / Math.max(a.rows, a.cols)));
}

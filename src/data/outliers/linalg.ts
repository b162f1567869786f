/**
 * Small dense linear algebra on Float64Arrays for the PPCA fit: row-major k×D "row sets" (each row a vector
 * of length D) and symmetric k×k eigen-decomposition. Plain loops: deterministic on every platform.
 */

/**
 * Orthonormalises the k rows of `q` (k×D, row-major) in place with modified Gram–Schmidt, applied twice for
 * stability. A row that collapses to ~0 is replaced by a deterministic unit vector orthogonal to the others.
 */
export function orthonormalizeRows(q: Float64Array, k: number, d: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < k; i++) {
      const ri = i * d;
      for (let j = 0; j < i; j++) {
        const rj = j * d;
        let dot = 0;
        for (let t = 0; t < d; t++) dot += q[ri + t] * q[rj + t];
        for (let t = 0; t < d; t++) q[ri + t] -= dot * q[rj + t];
      }
      let norm = 0;
      for (let t = 0; t < d; t++) norm += q[ri + t] * q[ri + t];
      norm = Math.sqrt(norm);
      if (norm < 1e-300) {
        for (let t = 0; t < d; t++) q[ri + t] = t === i % d ? 1 : 0;
        if (pass === 0) continue;
      }
      for (let t = 0; t < d; t++) q[ri + t] /= norm || 1;
    }
  }
}

/**
 * Eigen-decomposition of a symmetric k×k matrix by cyclic Jacobi rotations.
 * @param a row-major k×k symmetric matrix (not modified).
 * @returns eigenvalues in descending order and the matching eigenvectors as the rows of `vectors` (k×k).
 */
export function symmetricEigen(a: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) off += m[i * k + j] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = m[p * k + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * k + q] - m[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const mrp = m[r * k + p];
          const mrq = m[r * k + q];
          m[r * k + p] = c * mrp - s * mrq;
          m[r * k + q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < k; r++) {
          const mpr = m[p * k + r];
          const mqr = m[q * k + r];
          m[p * k + r] = c * mpr - s * mqr;
          m[q * k + r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p];
          const vrq = v[r * k + q];
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => m[y * k + y] - m[x * k + x]);
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * k);
  order.forEach((col, i) => {
    values[i] = m[col * k + col];
    for (let r = 0; r < k; r++) vectors[i * k + r] = v[r * k + col];
  });
  return { values, vectors };
}

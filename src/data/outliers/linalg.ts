/**
 * Row-set orthonormalisation for the PPCA fit: row-major k×D "row sets" (each row a vector of length D). Plain
 * loops: deterministic on every platform. (The k×k eigen-decomposition is core/linalg's `symmetricEigen`.)
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

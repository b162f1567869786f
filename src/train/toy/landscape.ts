/** Pure helpers over energies on the plane: the grid, the 95%-TPR threshold τ, accepted area, histograms. */

/** Fraction of ID training points the decision boundary accepts (the FPR95 operating point). */
export const ID_ACCEPT_RATE = 0.95;

/**
 * Cell-centre coordinates of a size×size grid over the square [−half, half]², row-major with row 0 at the TOP
 * (largest y) so it maps directly onto canvas pixels.
 * @returns [size²·2] interleaved (x, y).
 */
export function gridPoints(size: number, half: number): Float32Array {
  const out = new Float32Array(size * size * 2);
  const step = (2 * half) / size;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const i = r * size + c;
      out[2 * i] = -half + (c + 0.5) * step;
      out[2 * i + 1] = half - (r + 0.5) * step;
    }
  }
  return out;
}

/**
 * Threshold τ such that exactly k = ⌈rate·N⌉ of the ID energies satisfy E < τ: the midpoint between the k-th and
 * (k+1)-th smallest energy (just above the k-th when k = N). Ties at the k-th value can only add to the count.
 * @param idEnergies energies of the ID training points (any order).
 */
export function acceptThreshold(idEnergies: ArrayLike<number>, rate = ID_ACCEPT_RATE): number {
  const sorted = Float64Array.from(idEnergies).sort();
  const n = sorted.length;
  if (n === 0) return 0;
  const k = Math.min(n, Math.max(1, Math.ceil(rate * n - 1e-9)));
  if (k === n) return sorted[n - 1] + Math.max(1e-6, Math.abs(sorted[n - 1]) * 1e-6);
  return (sorted[k - 1] + sorted[k]) / 2;
}

/** Fraction of grid cells with E < τ (each cell has equal area, so this is the accepted fraction of the view). */
export function acceptedArea(gridEnergies: ArrayLike<number>, tau: number): number {
  let n = 0;
  for (let i = 0; i < gridEnergies.length; i++) if (gridEnergies[i] < tau) n++;
  return gridEnergies.length === 0 ? 0 : n / gridEnergies.length;
}

/** Histogram with shared edges. */
export interface Histogram {
  /** [bins + 1] ascending edges. */
  edges: number[];
  /** One count array [bins] per series, in the order given. */
  counts: number[][];
}

/** Histogram several series over common edges spanning all their values (2nd–98th percentile). */
export function histogram(series: ArrayLike<number>[], bins = 30): Histogram {
  const all = Float64Array.from(series.flatMap((s) => Array.from(s))).sort();
  if (all.length === 0) return { edges: [], counts: series.map(() => []) };
  let lo = all[Math.floor(0.02 * (all.length - 1))];
  let hi = all[Math.ceil(0.98 * (all.length - 1))];
  if (hi <= lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const w = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * w);
  const counts = series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (let i = 0; i < s.length; i++) {
      const b = Math.min(bins - 1, Math.max(0, Math.floor((s[i] - lo) / w)));
      c[b]++;
    }
    return c;
  });
  return { edges, counts };
}

/** Fraction of rows whose argmax over `logits` [N·K] equals the label. */
export function accuracy(logits: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + best]) best = c;
    if (best === labels[i]) ok++;
  }
  return labels.length === 0 ? 0 : ok / labels.length;
}

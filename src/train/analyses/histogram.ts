/**
 * Histograms of energies (Fig. 3) on shared bin edges, so the ID, OOD and outlier histograms of one figure are
 * comparable and the ε slider moves only the perturbed-outlier bars. Values outside the edges go to the first or
 * last bin (counted, never dropped), so every histogram sums to its sample count.
 */

/** `bins` equal-width bins over [lo, hi] (hi > lo): bins + 1 edges. */
export function binEdges(lo: number, hi: number, bins: number): number[] {
  if (!(hi > lo) || !Number.isInteger(bins) || bins < 1)
    throw new Error(`binEdges: need hi > lo and an integer bins ≥ 1 (got ${lo}, ${hi}, ${bins})`);
  return Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
}

/** Edges spanning the 0.5 %–99.5 % quantiles of all given values (robust to a few extreme energies). */
export function sharedEdges(lists: readonly ArrayLike<number>[], bins: number): number[] {
  const all: number[] = [];
  for (const l of lists) for (let i = 0; i < l.length; i++) if (Number.isFinite(l[i])) all.push(l[i]);
  if (all.length === 0) return binEdges(0, 1, bins);
  all.sort((a, b) => a - b);
  const q = (p: number) => all[Math.min(all.length - 1, Math.max(0, Math.floor(p * (all.length - 1))))];
  let lo = q(0.005);
  let hi = q(0.995);
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  return binEdges(lo, hi, bins);
}

/**
 * Counts of `values` in the bins [e_k, e_{k+1}) (the last bin closed); below e_0 → bin 0, above e_B → bin B−1.
 * Non-finite values are skipped. @returns bins = edges.length − 1 counts.
 */
export function histogram(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const lo = edges[0];
  const width = (edges[bins] - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    let k = Math.floor((v - lo) / width);
    if (k < 0) k = 0;
    if (k >= bins) k = bins - 1;
    // Guard float rounding at the edges: keep [e_k, e_{k+1}).
    if (k > 0 && v < edges[k]) k--;
    else if (k < bins - 1 && v >= edges[k + 1]) k++;
    counts[k]++;
  }
  return counts;
}

/** Mean of finite values (NaN when none). */
export function meanOf(values: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++)
    if (Number.isFinite(values[i])) {
      s += values[i];
      n++;
    }
  return n ? s / n : NaN;
}

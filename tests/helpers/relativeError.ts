/**
 * max |a − b| / max |b|: the error of `a` relative to the largest magnitude of the reference `b` (the measure the
 * WASM-vs-CPU gradient tests use: entries near zero do not blow it up). Throws when the lengths differ.
 */
export function relToMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relToMax: lengths differ (${a.length} vs ${b.length})`);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

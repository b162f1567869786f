/**
 * The one rate limit for progress messages (data loading, experiments, toy sweeps, training updates): `fn` runs
 * at most once every `ms` milliseconds, and always when a call is forced (a status change, the last item).
 * DOM-free; the clock is injectable for tests.
 */
export function throttle<T>(
  fn: ((v: T) => void) | undefined,
  ms = 200,
  now: () => number = () => Date.now(),
): (v: T, force?: boolean) => void {
  let last = -Infinity;
  return (v, force) => {
    if (!fn) return;
    const t = now();
    if (force || t - last >= ms) {
      last = t;
      fn(v);
    }
  };
}

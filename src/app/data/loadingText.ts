import type { DataState } from './dataStore';

const mb = (b: number) => `${(b / 1e6).toFixed(b < 1e7 ? 1 : 0)} MB`;

/**
 * What a running data call is doing, for places that would otherwise say "nothing loaded": "Loading data:
 * reading cifar-10-binary.tar.gz (45 MB of 170 MB) …". Never claims something is missing while it loads.
 */
export function loadingText(busy: NonNullable<DataState['busy']>): string {
  const p = busy.progress;
  if (!p) return `${busy.label} …`;
  const amount =
    p.total > 0
      ? p.unit === 'bytes'
        ? ` (${mb(p.done)} of ${mb(p.total)})`
        : ` (${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')})`
      : '';
  return `${busy.label}: ${p.phase}${amount} …`;
}

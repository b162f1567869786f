import { formatBytes } from '../data/errors';

/** What `navigator.storage.estimate()` reports (bytes); fields may be missing in some browsers. */
export interface StorageEstimate {
  usage?: number;
  quota?: number;
}

/** The error's name and message, never empty (a DOMException from IndexedDB often has an empty message). */
export function errorReason(err: unknown): string {
  if (err instanceof Error || (typeof err === 'object' && err !== null && 'name' in err)) {
    const e = err as { name?: string; message?: string };
    const name = e.name && e.name !== 'Error' ? e.name : '';
    const message = (e.message ?? '').trim();
    if (name && message) return `${name}: ${message}`;
    return name || message || 'unknown error (the browser gave no reason)';
  }
  const s = String(err).trim();
  return s || 'unknown error (the browser gave no reason)';
}

/** True when the error says the storage quota is exhausted. */
export function isQuotaError(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  return Boolean(
    e && (e.name === 'QuotaExceededError' || /quota|storage.*full|disk.*full/i.test(e.message ?? '')),
  );
}

/** "1.20 GB used of 1.31 GB available to this site (110.0 MB free)", or a note that the browser did not say. */
export function describeEstimate(est: StorageEstimate | null): string {
  if (!est || est.usage === undefined || est.quota === undefined)
    return 'the browser does not report how much storage is used';
  const free = Math.max(0, est.quota - est.usage);
  return `${formatBytes(est.usage)} used of ${formatBytes(est.quota)} available to this site (${formatBytes(free)} free)`;
}

/**
 * A message for a failed IndexedDB write that says what failed, why, and how much space there is.
 * @param what e.g. "the checkpoint of run-17 at step 40"
 * @param bytes size of what was written (bytes)
 */
export function describeStorageFailure(
  what: string,
  bytes: number,
  err: unknown,
  est: StorageEstimate | null,
): string {
  const quota = isQuotaError(err);
  const advice = quota
    ? ' The browser refused to store more for this site: delete old checkpoints (Saved checkpoints) or cached data sets (Data panel → Clear cache).'
    : '';
  return `Could not write ${what} (${formatBytes(bytes)}) to IndexedDB: ${errorReason(err)}; ${describeEstimate(est)}.${advice}`;
}

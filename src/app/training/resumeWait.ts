import type { CheckpointMeta } from '../../train/checkpoint';
import { useDataStore } from '../data/dataStore';

/** How long the Data panel may sit idle with the data still missing before a resume gives up waiting (ms). */
const IDLE_GIVE_UP_MS = 10_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('Stopped waiting; the checkpoint is kept.'));
    });
  });

/**
 * Wait until the worker can resume `cp` on the loaded data (after a reload the Data panel is still restoring
 * the ID split and regenerating the training outliers). Nothing changes in the worker while waiting.
 * @param check the worker's `checkResume`
 * @param onWaiting told what is awaited (null when done)
 * @returns the warnings to show (data differs from the checkpoint's)
 * @throws when aborted, or when the Data panel is idle for 10 s and the data is still missing
 */
export async function waitForResumable(
  cp: CheckpointMeta,
  check: (runId: string) => Promise<{ blocking: string[]; warnings: string[] }>,
  signal: AbortSignal,
  onWaiting: (what: string | null) => void,
): Promise<string[]> {
  let idleSince: number | null = null;
  for (;;) {
    const { blocking, warnings } = await check(cp.id);
    if (!blocking.length) {
      onWaiting(null);
      return warnings;
    }
    if (useDataStore.getState().busy) idleSince = null;
    else idleSince ??= performance.now();
    if (idleSince !== null && performance.now() - idleSince > IDLE_GIVE_UP_MS)
      throw new Error(`Cannot resume ${cp.id}: ${blocking.join(' ')}`);
    onWaiting(`Resume waits: ${blocking.join(' ')}`);
    await sleep(250, signal);
  }
}

/**
 * Ask the browser to keep this site's storage under storage pressure (checkpoints of a long run must not be
 * evicted). Chromium decides without a prompt. @returns whether storage is persistent, null when unsupported.
 */
export async function requestPersistentStorage(): Promise<boolean | null> {
  const storage = navigator.storage;
  if (!storage?.persist) return null;
  try {
    return (await storage.persisted()) || (await storage.persist());
  } catch {
    return null;
  }
}

import * as Comlink from 'comlink';
import type { SizeLimits } from '../../data/limits';
import type { DataRole, DataWorkerApi } from '../../worker/data/types';
import { computeWorker } from '../workerClient';
import { pushMessages, useDataStore } from './dataStore';

/**
 * The worker's `data` namespace. comlink proxies nested paths at run time (remote.data.restore() calls
 * api.data.restore in the worker), but its types promisify plain nested objects, hence the cast.
 */
const data = () => computeWorker().data as unknown as Comlink.Remote<DataWorkerApi>;
const set = useDataStore.setState;
const get = useDataStore.getState;

const onProgress = Comlink.proxy((p: import('../../worker/data/types').DataProgress) =>
  set((s) => (s.busy ? { busy: { ...s.busy, progress: p } } : {})),
);

async function run<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
  set({ busy: { label, progress: null } });
  try {
    return await fn();
  } catch (e) {
    pushMessages([{ level: 'error', file: label, text: e instanceof Error ? e.message : String(e) }]);
    return undefined;
  } finally {
    set({ busy: null });
  }
}

/** Fetches thumbnails of every set (8 each) and the σ² preview. */
async function refreshThumbs(): Promise<void> {
  const summary = get().summary;
  if (!summary) return;
  const thumbs: Record<string, import('../../worker/data/types').Thumbs> = {};
  for (const s of summary.sets) thumbs[s.key] = await data().thumbnails(s.key, 8);
  set({ thumbs });
  if (summary.generator) await previewSigma2(get().sigma2);
}

/** On mount: IndexedDB cache, else served data; then fit the generator if ID data is there. */
export async function restoreData(): Promise<void> {
  const r = await run('Loading data', () => data().restore(onProgress));
  if (!r) return;
  set({ summary: r.summary });
  pushMessages(r.messages);
  await refreshThumbs();
  if (r.summary.sets.some((s) => s.key === 'id:train') && !r.summary.generator) await fitAndDraw();
}

/** After new ID data: fit the generator, and draw the default training outliers unless a set is loaded. */
async function fitAndDraw(): Promise<void> {
  await fitGenerator();
  const s = get().summary;
  if (s?.generator && !s.sets.some((x) => x.key === 'outliers')) await generateOutliers();
}

/** Loads dropped/picked files for a role. */
export async function loadDataFiles(files: File[], role: DataRole): Promise<void> {
  if (files.length === 0) return;
  const r = await run(`Loading ${files.length === 1 ? files[0].name : `${files.length} files`}`, () =>
    data().loadFiles(files, role, onProgress),
  );
  if (!r) return;
  set({ summary: r.summary });
  pushMessages(r.messages);
  await refreshThumbs();
  if (r.added.includes('id:train')) await fitAndDraw();
}

export async function fitGenerator(): Promise<void> {
  const { components, fitCount, seed } = get();
  const summary = await run('Fitting PPCA generator', () =>
    data().fitGenerator({ components, fitCount, seed }, onProgress),
  );
  if (!summary) return;
  set({ summary });
  await previewSigma2(get().sigma2);
}

export async function previewSigma2(sigma2: number): Promise<void> {
  set({ sigma2 });
  if (!get().summary?.generator) return;
  try {
    const t = await data().sampleThumbnails(sigma2, 8, get().seed);
    if (get().sigma2 === sigma2) set({ sigmaThumbs: t });
  } catch (e) {
    pushMessages([{ level: 'error', file: 'σ² preview', text: (e as Error).message }]);
  }
}

export async function generateOutliers(): Promise<void> {
  const { sigma2, outlierCount, seed } = get();
  const before = get().summary?.sets.find((x) => x.key === 'outliers');
  const summary = await run(`Generating ${outlierCount} outliers`, () =>
    data().generateOutliers({ sigma2, count: outlierCount, seed }),
  );
  if (!summary) return;
  set({ summary });
  const replaced = before?.cached ? ` (they replace ${before.name}, also removed from the cache)` : '';
  pushMessages([
    {
      level: 'info',
      file: 'training outliers',
      text: `${outlierCount} PPCA samples at σ² = ${sigma2}${replaced}`,
    },
  ]);
  await refreshThumbs();
}

/** Downloads the training outliers as samples-<σ²>.npz (main thread: the worker only serialises). */
export async function exportOutliers(): Promise<void> {
  const bytes = await run('Exporting outliers', () => data().exportOutliersNpz());
  if (!bytes) return;
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `samples-${get().sigma2.toFixed(1)}.npz`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function removeSet(key: string): Promise<void> {
  const summary = await data().remove(key);
  set({ summary });
  await refreshThumbs();
}

export async function clearCache(): Promise<void> {
  const summary = await data().clearCache();
  set({ summary });
  pushMessages([
    { level: 'info', file: 'IndexedDB', text: 'cache cleared; loaded sets stay until you reload.' },
  ]);
}

/** Changes the size limits of later loads (bytes per archive and per entry, pixels per image). */
export async function setSizeLimits(patch: Partial<SizeLimits>): Promise<void> {
  const summary = await data().setLimits(patch);
  set({ summary });
}

export function cancelData(): void {
  void data().cancel();
}

export function setDataOption(
  patch: Partial<{ outlierCount: number; fitCount: number; components: number; seed: number }>,
): void {
  set(patch);
}

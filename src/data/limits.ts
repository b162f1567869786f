import { Gunzip } from 'fflate';
import { DataError } from './errors';

/**
 * Size limits for everything a user file may expand into. A hostile or corrupt file is refused by its
 * *declared* sizes before anything is allocated, and by a running count while it is inflated, so a 3 MB zip
 * that would inflate to 3 GB costs at most one slice (≤ 4 MiB, see SliceSizer) of work past the limit.
 *
 * Defaults come from what the expected sets need: the CIFAR-10 / CIFAR-100 binary archives inflate to
 * ~185 MB (largest member: CIFAR-100 train.bin, 154 MB); a 10,000-sample `samples-<σ²>.npz` holds 31 MB; the
 * DTD textures zip ~600 MB of JPEGs whose largest image is 1,300×1,300 px; Fashion-MNIST test images 7.8 MB.
 */
export interface SizeLimits {
  /** Bytes one archive (tar.gz, zip, npz, gzip) may inflate to in total. */
  maxArchiveBytes: number;
  /** Bytes one member (tar member, zip entry) may declare or inflate to. */
  maxEntryBytes: number;
  /** Pixels (width·height) one image may declare before it is decoded (RGBA decode = 4 bytes a pixel). */
  maxImagePixels: number;
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

export const DEFAULT_LIMITS: SizeLimits = {
  maxArchiveBytes: 1 * GiB,
  maxEntryBytes: 1 * GiB,
  maxImagePixels: 50_000_000,
};

/** The defaults with `patch` applied (undefined fields keep their default). */
export function resolveLimits(patch?: Partial<SizeLimits>): SizeLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(out) as (keyof SizeLimits)[]) {
    const v = patch?.[k];
    if (v !== undefined && Number.isFinite(v) && v > 0) out[k] = v;
  }
  return out;
}

/** A size in binary units for limit messages: "2 GiB", "1.50 GiB", "512 MiB", "3.2 kiB", "17 B". */
export function formatSize(n: number): string {
  const fmt = (v: number, unit: string) =>
    `${Number.isInteger(v) ? v : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${unit}`;
  if (n >= GiB) return fmt(n / GiB, 'GiB');
  if (n >= MiB) return fmt(n / MiB, 'MiB');
  if (n >= 1024) return fmt(n / 1024, 'kiB');
  return `${n} B`;
}

/** Megapixels for messages ("400 MP"). */
export const formatPixels = (p: number) => `${p / 1e6 >= 10 ? Math.round(p / 1e6) : (p / 1e6).toFixed(1)} MP`;

/** What the loaders read of an `AbortSignalLike` (structural, so DOM-free code needs no DOM lib). */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

/** Thrown when a load is cancelled through its AbortSignalLike; loaders report it as "cancelled, nothing loaded". */
export class LoadCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'LoadCancelled';
  }
}

/** Throws {@link LoadCancelled} when `signal` has been aborted. */
export function throwIfCancelled(signal?: AbortSignalLike): void {
  if (signal?.aborted) throw new LoadCancelled();
}

/** Resolves on a fresh macrotask (lets worker messages in); DOM-free lookup of setTimeout. */
function nextMacrotask(): Promise<void> {
  const g = globalThis as unknown as { setTimeout: (f: () => void, ms: number) => unknown };
  return new Promise((r) => g.setTimeout(r, 0));
}

/**
 * A cooperative yield for long synchronous work in a worker: every `everyMs` of work it gives the event loop a
 * turn (so a cancel message can be delivered and abort `signal`), then throws if the signal was aborted. Keeps
 * Cancel well under a second whatever the file.
 */
export function makeYielder(signal?: AbortSignalLike, everyMs = 40): () => Promise<void> {
  let last = Date.now();
  return async () => {
    throwIfCancelled(signal);
    if (Date.now() - last < everyMs) return;
    await nextMacrotask();
    last = Date.now();
    throwIfCancelled(signal);
  };
}

/**
 * How many input bytes to push into an inflater next, so that one push produces about 1 MiB of output whatever
 * the compression ratio: ordinary data (ratio ~1–3) moves in 64 kB slices, a zip bomb (ratio ~1000) in 1 kB
 * ones. Deflate expands at most ~1032×, so one push is ≤ ~4 MiB at the 4 kB start and ≤ ~1 MiB once adapted:
 * the byte budget is overshot by at most that, and the event loop (Cancel) is never held for long.
 */
export class SliceSizer {
  size = 4096;
  /** Adapts the next slice to the output the last one produced. */
  update(inBytes: number, outBytes: number): void {
    const target = MiB;
    const next = outBytes > 0 ? Math.floor((inBytes * target) / outBytes) : this.size * 2;
    this.size = Math.max(1024, Math.min(65536, next));
  }
}

/** The error for an archive that inflates past its total budget. */
export function archiveBudgetError(name: string, limit: number, readIn: number, totalIn: number): DataError {
  return new DataError(
    `it inflates to more than ${formatSize(limit)}, the limit for one archive (stopped after ${formatSize(readIn)}` +
      `${totalIn ? ` of ${formatSize(totalIn)}` : ''} read). The file is corrupt or hostile; if it is genuine, ` +
      'raise the limit under "Size limits".',
    name,
  );
}

/**
 * Gunzips `raw` (one or more gzip members) under `limits.maxArchiveBytes`, in slices, yielding between them.
 * @throws DataError naming the limit when the output would exceed it, or for corrupt gzip data.
 */
export async function gunzipBounded(
  raw: Uint8Array,
  name: string,
  limits: SizeLimits,
  signal?: AbortSignalLike,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let out = 0;
  let read = 0;
  const g = new Gunzip((d) => {
    out += d.length;
    if (out > limits.maxArchiveBytes)
      throw archiveBudgetError(name, limits.maxArchiveBytes, read, raw.length);
    parts.push(d);
  });
  const pause = makeYielder(signal);
  const sizer = new SliceSizer();
  for (let i = 0; i < raw.length;) {
    const end = Math.min(raw.length, i + sizer.size);
    read = end;
    const before = out;
    try {
      g.push(raw.subarray(i, end), end === raw.length);
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw new DataError(`the gzip data is corrupt or truncated (${(e as Error).message}).`, name);
    }
    sizer.update(end - i, out - before);
    i = end;
    await pause();
  }
  const joined = new Uint8Array(out);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return joined;
}

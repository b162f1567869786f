import { Gunzip, strFromU8 } from 'fflate';
import { DataError } from './errors';
import {
  DEFAULT_LIMITS,
  SliceSizer,
  archiveBudgetError,
  makeYielder,
  type SizeLimits,
  type AbortSignalLike,
} from './limits';
import { TarStream, collectSink, type TarEntryHeader } from './tar';

/** Progress of a streamed read: compressed bytes consumed of the total (total 0 when unknown). */
export interface StreamProgress {
  bytesIn: number;
  totalIn: number;
  /** Decompressed bytes produced so far. */
  bytesOut: number;
}

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Streams a `.tar.gz` (or a plain `.tar`, detected by the missing gzip magic) through fflate's streaming
 * gunzip and {@link TarStream}, keeping only the members `want` selects. Memory: fflate's 32 kB history buffer plus
 * one output chunk, plus the kept members — the archive itself is never held whole.
 * @param chunks the archive's bytes in order (e.g. `file.stream()` in a browser, a read stream in Node).
 * @param want picks members by header (path inside the archive).
 * Hostile sizes: a member whose header declares more than `limits.maxEntryBytes` is refused on its header,
 * and the decompressed stream is counted as it grows (gunzip is fed slices sized by {@link SliceSizer}), so
 * the read stops within ~4 MiB of `limits.maxArchiveBytes`. The event loop gets a turn every ~40 ms, so an
 * aborted `signal` stops the read (throwing LoadCancelled) within a second.
 * @param opts.totalIn archive size for progress; `onProgress` is called after every input slice
 *   (throttle in the caller).
 * @returns the kept members by path (through `opts.map` when given), in archive order.
 */
export async function readTarGzStream<T = Uint8Array>(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  want: (h: TarEntryHeader) => boolean,
  opts: {
    name?: string;
    /** Turns each kept member into what is stored, as soon as it is complete (so its raw bytes can be freed). */
    map?: (name: string, bytes: Uint8Array) => T;
    totalIn?: number;
    onProgress?: (p: StreamProgress) => void;
    signal?: AbortSignalLike;
    limits?: SizeLimits;
  } = {},
): Promise<Map<string, T>> {
  const name = opts.name ?? 'archive';
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const pause = makeYielder(opts.signal);
  const out = new Map<string, T>();
  const map = opts.map ?? ((_: string, b: Uint8Array) => b as unknown as T);
  const tar = new TarStream(
    (h) => (want(h) ? collectSink(h.size, (b) => out.set(h.name, map(h.name, b))) : null),
    name,
    limits.maxEntryBytes,
  );
  const state: { gunzip: Gunzip | null; first: boolean } = { gunzip: null, first: true };
  let bytesIn = 0;
  /** Input bytes pushed into the inflater so far (bytesIn counts those received, some still queued). */
  let posIn = 0;
  let bytesOut = 0;
  const sizer = new SliceSizer();
  const feedTar = (data: Uint8Array) => {
    bytesOut += data.length;
    if (bytesOut > limits.maxArchiveBytes)
      throw archiveBudgetError(name, limits.maxArchiveBytes, posIn, opts.totalIn ?? 0);
    tar.push(data);
  };
  /** Bytes held back until there are enough to recognise the format (gzip magic, or 'ustar' at 257). */
  let head: Uint8Array | null = new Uint8Array(0);
  /** Feeds `chunk` (whose last byte is input byte `bytesIn`) slice by slice, reporting progress after each. */
  const feed = async (chunk: Uint8Array) => {
    for (let i = 0; i < chunk.length;) {
      const end = Math.min(chunk.length, i + sizer.size);
      const slice = chunk.subarray(i, end);
      const before = bytesOut;
      posIn = bytesIn - (chunk.length - end);
      try {
        if (state.gunzip) state.gunzip.push(slice, false);
        else feedTar(slice);
      } catch (e) {
        if (e instanceof DataError) throw e;
        throw new DataError(`the gzip data is corrupt (${(e as Error).message}).`, name);
      }
      sizer.update(end - i, bytesOut - before);
      i = end;
      opts.onProgress?.({ bytesIn: bytesIn - (chunk.length - end), totalIn: opts.totalIn ?? 0, bytesOut });
      await pause();
    }
  };
  const decide = (bytes: Uint8Array) => {
    state.first = false;
    if (isGzip(bytes)) state.gunzip = new Gunzip((data) => feedTar(data));
    else if (bytes.length < 262 || strFromU8(bytes.subarray(257, 262), true) !== 'ustar')
      throw new DataError('this is neither a .tar.gz nor a .tar archive (no gzip or tar signature).', name);
  };
  for await (const chunk of chunks) {
    await pause();
    if (chunk.length === 0) continue;
    bytesIn += chunk.length;
    if (head) {
      const joined: Uint8Array = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      if (joined.length < 262) {
        head = joined;
        continue;
      }
      head = null;
      decide(joined);
      await feed(joined);
    } else await feed(chunk);
  }
  if (head && head.length > 0) {
    decide(head);
    await feed(head);
  }
  if (state.first) throw new DataError('the file is empty.', name);
  if (state.gunzip) {
    try {
      state.gunzip.push(new Uint8Array(0), true);
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw new DataError(
        `the gzip stream ends early (${(e as Error).message}): the file is truncated (download it again).`,
        name,
      );
    }
  }
  tar.finish();
  return out;
}

/** Splits a buffer into chunks (to drive the streaming readers from bytes already in memory). */
export function* chunksOf(bytes: Uint8Array, size = 1 << 20): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

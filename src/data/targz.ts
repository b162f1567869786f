import { Gunzip, strFromU8 } from 'fflate';
import { DataError } from './errors';
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
 * gunzip and {@link TarStream}, keeping only the members `want` selects. Memory: fflate's 32 kB window plus
 * one output chunk, plus the kept members — the archive itself is never held whole.
 * @param chunks the archive's bytes in order (e.g. `file.stream()` in a browser, a read stream in Node).
 * @param want picks members by header (path inside the archive).
 * @param opts.totalIn archive size for progress; `onProgress` is called after every input chunk
 *   (throttle in the caller); `shouldStop` aborts between chunks (throws an Error 'cancelled').
 * @returns the kept members by path, in archive order.
 */
export async function readTarGzStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  want: (h: TarEntryHeader) => boolean,
  opts: {
    name?: string;
    totalIn?: number;
    onProgress?: (p: StreamProgress) => void;
    shouldStop?: () => boolean;
  } = {},
): Promise<Map<string, Uint8Array>> {
  const name = opts.name ?? 'archive';
  const out = new Map<string, Uint8Array>();
  const tar = new TarStream((h) => (want(h) ? collectSink(h.size, (b) => out.set(h.name, b)) : null), name);
  let gunzip: Gunzip | null = null;
  let first = true;
  let bytesIn = 0;
  let bytesOut = 0;
  const feedTar = (data: Uint8Array) => {
    bytesOut += data.length;
    tar.push(data);
  };
  for await (const chunk of chunks) {
    if (opts.shouldStop?.()) throw new Error('cancelled');
    if (chunk.length === 0) continue;
    if (first) {
      first = false;
      if (isGzip(chunk)) {
        gunzip = new Gunzip((data) => feedTar(data));
      } else if (chunk.length >= 262 && strFromU8(chunk.subarray(257, 262), true) !== 'ustar') {
        throw new DataError('this is neither a .tar.gz nor a .tar archive (no gzip or tar signature).', name);
      }
    }
    bytesIn += chunk.length;
    try {
      if (gunzip) gunzip.push(chunk, false);
      else feedTar(chunk);
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw new DataError(`the gzip data is corrupt (${(e as Error).message}).`, name);
    }
    opts.onProgress?.({ bytesIn, totalIn: opts.totalIn ?? 0, bytesOut });
  }
  if (first) throw new DataError('the file is empty.', name);
  if (gunzip) {
    try {
      gunzip.push(new Uint8Array(0), true);
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

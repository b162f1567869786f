import { Inflate, strFromU8 } from 'fflate';
import { DataError } from './errors';
import { SliceSizer, formatSize, makeYielder, type SizeLimits, type AbortSignalLike } from './limits';

/** One entry of a zip's central directory: what it declares, before anything is inflated. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  /** Declared uncompressed size in bytes. */
  size: number;
  /** Offset of the entry's local header. */
  localOffset: number;
}

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) =>
  (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 2 ** 32;

/** True when the bytes start with a zip local-header / empty-archive signature ("PK"). */
export const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b;

/**
 * Reads a zip's central directory (zip64 sizes included) without inflating anything.
 * @throws DataError for a file without zip signature or without a readable directory (truncated).
 */
export function readZipDirectory(bytes: Uint8Array, name: string): ZipEntry[] {
  if (!isZip(bytes)) throw new DataError('not a zip archive (no zip signature).', name);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--)
    if (u32(bytes, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  const corrupt = (why: string) => new DataError(`the zip is corrupt or truncated (${why}).`, name);
  if (eocd < 0) throw corrupt('no end-of-central-directory record');
  let count = u16(bytes, eocd + 10);
  let dirOffset = u32(bytes, eocd + 16);
  const z64 = eocd - 20;
  if (z64 >= 0 && u32(bytes, z64) === 0x07064b50) {
    const rec = u64(bytes, z64 + 8);
    if (rec + 56 > bytes.length || u32(bytes, rec) !== 0x06064b50) throw corrupt('bad zip64 record');
    count = u64(bytes, rec + 32);
    dirOffset = u64(bytes, rec + 48);
  }
  const entries: ZipEntry[] = [];
  let p = dirOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || u32(bytes, p) !== 0x02014b50) throw corrupt('bad central directory');
    const nameLen = u16(bytes, p + 28);
    const extraLen = u16(bytes, p + 30);
    const commentLen = u16(bytes, p + 32);
    const entry: ZipEntry = {
      name: strFromU8(bytes.subarray(p + 46, p + 46 + nameLen)),
      method: u16(bytes, p + 10),
      compressedSize: u32(bytes, p + 20),
      size: u32(bytes, p + 24),
      localOffset: u32(bytes, p + 42),
    };
    // zip64 extra field (id 1): the 8-byte values of the fields that are 0xFFFFFFFF, in this order
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = u16(bytes, e);
      const len = u16(bytes, e + 2);
      if (id === 1) {
        let q = e + 4;
        if (entry.size === 0xffffffff) {
          entry.size = u64(bytes, q);
          q += 8;
        }
        if (entry.compressedSize === 0xffffffff) {
          entry.compressedSize = u64(bytes, q);
          q += 8;
        }
        if (entry.localOffset === 0xffffffff) entry.localOffset = u64(bytes, q);
      }
      e += 4 + len;
    }
    entries.push(entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * Refuses a zip whose declared sizes exceed the limits, before anything is inflated.
 * @throws DataError "entry X would inflate to 2 GiB, over the 1 GiB limit for one entry" (or the archive total).
 */
export function checkDeclaredSizes(entries: ZipEntry[], name: string, limits: SizeLimits): void {
  let total = 0;
  for (const e of entries) {
    if (e.size > limits.maxEntryBytes)
      throw new DataError(
        `entry "${e.name}" would inflate to ${formatSize(e.size)}, over the ${formatSize(limits.maxEntryBytes)} limit ` +
          'for one entry (a zip bomb or a corrupt file; nothing was inflated).',
        name,
      );
    total += e.size;
  }
  if (total > limits.maxArchiveBytes)
    throw new DataError(
      `its ${entries.length} entries would inflate to ${formatSize(total)}, over the ` +
        `${formatSize(limits.maxArchiveBytes)} limit for one archive (nothing was inflated).`,
      name,
    );
}

/**
 * Inflates one entry into a buffer of its declared size, in slices sized by {@link SliceSizer}, yielding
 * control (a generator step) between slices. An entry that inflates past its declared size (a lying
 * directory) is refused at the first slice that overflows.
 */
function* inflateEntry(bytes: Uint8Array, e: ZipEntry, name: string): Generator<void, Uint8Array> {
  const h = e.localOffset;
  if (h + 30 > bytes.length || u32(bytes, h) !== 0x04034b50)
    throw new DataError(`the zip is corrupt or truncated (no local header for "${e.name}").`, name);
  const start = h + 30 + u16(bytes, h + 26) + u16(bytes, h + 28);
  if (start + e.compressedSize > bytes.length)
    throw new DataError(`the zip is corrupt or truncated ("${e.name}" runs past the end).`, name);
  const data = bytes.subarray(start, start + e.compressedSize);
  if (e.method === 0) {
    if (e.compressedSize !== e.size)
      throw new DataError(`the zip is corrupt (stored entry "${e.name}" has two sizes).`, name);
    return data.slice();
  }
  if (e.method !== 8)
    throw new DataError(`entry "${e.name}" uses compression method ${e.method}; only deflate is read.`, name);
  const out = new Uint8Array(e.size);
  let fill = 0;
  const inf = new Inflate((d) => {
    if (fill + d.length > e.size)
      throw new DataError(
        `entry "${e.name}" inflates past its declared ${formatSize(e.size)} (a zip bomb or a corrupt file); stopped.`,
        name,
      );
    out.set(d, fill);
    fill += d.length;
  });
  const sizer = new SliceSizer();
  for (let i = 0; ;) {
    const end = Math.min(data.length, i + sizer.size);
    const before = fill;
    try {
      inf.push(data.subarray(i, end), end === data.length);
    } catch (err) {
      if (err instanceof DataError) throw err;
      throw new DataError(`the zip is corrupt or truncated (${(err as Error).message}).`, name);
    }
    sizer.update(end - i, fill - before);
    i = end;
    yield;
    if (end === data.length) break;
  }
  if (fill !== e.size)
    throw new DataError(
      `the zip is corrupt: "${e.name}" inflates to ${fill} bytes, its directory says ${e.size}.`,
      name,
    );
  return out;
}

/** The entries `unzipBounded` keeps, after the declared-size check. */
function keptEntries(
  bytes: Uint8Array,
  name: string,
  limits: SizeLimits,
  filter?: (entryName: string) => boolean,
): ZipEntry[] {
  const entries = readZipDirectory(bytes, name).filter(
    (e) => !e.name.endsWith('/') && (filter?.(e.name) ?? true),
  );
  checkDeclaredSizes(entries, name, limits);
  return entries;
}

/**
 * Unzips under size limits: declared sizes are checked first, then entries are inflated in slices with the
 * event loop given a turn every ~40 ms so `signal` (Cancel) is honoured within a second.
 * @param filter picks entries by name (default: every file, directories dropped).
 * @returns the kept entries' bytes by name, in archive order.
 */
export async function unzipBounded(
  bytes: Uint8Array,
  name: string,
  limits: SizeLimits,
  opts: { filter?: (entryName: string) => boolean; signal?: AbortSignalLike } = {},
): Promise<Map<string, Uint8Array>> {
  const pause = makeYielder(opts.signal);
  const out = new Map<string, Uint8Array>();
  for (const e of keptEntries(bytes, name, limits, opts.filter)) {
    const it = inflateEntry(bytes, e, name);
    for (let r = it.next(); ; r = it.next()) {
      if (r.done) {
        out.set(e.name, r.value);
        break;
      }
      await pause();
    }
  }
  return out;
}

/** The same checks without yielding (small files read synchronously: model zips, fixtures). */
export function unzipBoundedSync(
  bytes: Uint8Array,
  name: string,
  limits: SizeLimits,
  filter?: (entryName: string) => boolean,
): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const e of keptEntries(bytes, name, limits, filter)) {
    const it = inflateEntry(bytes, e, name);
    let r = it.next();
    while (!r.done) r = it.next();
    out.set(e.name, r.value);
  }
  return out;
}

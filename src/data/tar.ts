import { strFromU8, strToU8 } from 'fflate';
import { DataError } from './errors';
import { formatSize } from './limits';

/** One member of a tar archive, as its header describes it. */
export interface TarEntryHeader {
  /** Full path inside the archive (ustar prefix, GNU long names and pax `path` applied). */
  name: string;
  /** Size of the member's data in bytes. */
  size: number;
  /** '0' (or '\0') regular file, '5' directory, others are links/specials. */
  type: string;
}

/** Receives one member's bytes in order; `end` is called once they are complete. */
export interface TarEntrySink {
  data(chunk: Uint8Array): void;
  end(): void;
}

const BLOCK = 512;
/** GNU long-name / pax headers are a few hundred bytes; a bigger one is refused before it is allocated. */
const MAX_META_BYTES = 1 << 20;

function readString(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return strFromU8(b.subarray(off, end));
}

function readOctal(b: Uint8Array, off: number, len: number): number {
  // GNU base-256 for huge sizes: high bit of the first byte set.
  if (b[off] & 0x80) {
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i];
    return v;
  }
  const s = readString(b, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) return NaN;
  return parseInt(s, 8);
}

/** Verifies a header block's checksum (sum of all bytes with the checksum field read as spaces). */
function checksumOk(b: Uint8Array): boolean {
  const stored = readOctal(b, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : b[i];
  return sum === stored;
}

/**
 * A push-based streaming tar reader (POSIX ustar, GNU long names, pax `path`). Feed it the decompressed bytes
 * in chunks of any size; for each member it asks `onEntry` for a sink (or null to skip the member) and streams
 * the member's data into it. Memory: one 512-byte header buffer; the data is passed through, never collected.
 * Throws {@link DataError} on a bad header ("not a tar archive"), on a member whose header declares more than
 * `maxMemberBytes` (checked on the header, before any of its data is read or allocated), and from `finish()`
 * when the archive stops inside a member (truncated).
 */
export class TarStream {
  private header = new Uint8Array(BLOCK);
  private headerFill = 0;
  /** Bytes of member data still to deliver. */
  private remaining = 0;
  /** Padding bytes still to skip after the data. */
  private padding = 0;
  private sink: TarEntrySink | null = null;
  private current: TarEntryHeader | null = null;
  private longName: string | null = null;
  private paxPath: string | null = null;
  /** Collects GNU 'L' / pax 'x' member data (small). */
  private meta: { kind: 'L' | 'x'; buf: Uint8Array; fill: number } | null = null;
  private zeroBlocks = 0;
  private ended = false;
  private members = 0;

  constructor(
    private readonly onEntry: (h: TarEntryHeader) => TarEntrySink | null,
    private readonly archiveName = 'archive',
    private readonly maxMemberBytes = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Feeds the next bytes of the (decompressed) tar stream. */
  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.ended) return; // trailing zero padding after the end marker
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        const part = chunk.subarray(i, i + take);
        if (this.meta) {
          this.meta.buf.set(part, this.meta.fill);
          this.meta.fill += take;
        } else this.sink?.data(part);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.endMember();
        continue;
      }
      if (this.padding > 0) {
        const skip = Math.min(this.padding, chunk.length - i);
        this.padding -= skip;
        i += skip;
        continue;
      }
      const take = Math.min(BLOCK - this.headerFill, chunk.length - i);
      this.header.set(chunk.subarray(i, i + take), this.headerFill);
      this.headerFill += take;
      i += take;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.startMember();
      }
    }
  }

  /** Call after the last chunk: throws if the archive ended inside a member or has no members at all. */
  finish(): void {
    if (this.remaining > 0 || this.headerFill > 0 || (this.padding > 0 && !this.ended))
      throw new DataError(
        `the archive ends in the middle of ${this.current ? `"${this.current.name}"` : 'a header'}: it is truncated (download it again).`,
        this.archiveName,
      );
    if (this.members === 0) throw new DataError('the archive holds no files.', this.archiveName);
  }

  private startMember(): void {
    const h = this.header;
    if (h.every((v) => v === 0)) {
      this.zeroBlocks++;
      if (this.zeroBlocks >= 2) this.ended = true;
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(h))
      throw new DataError(
        this.members === 0
          ? 'this is not a tar archive (the first header block has no valid checksum).'
          : `a header after "${this.current?.name ?? '?'}" is corrupt (bad checksum).`,
        this.archiveName,
      );
    const size = readOctal(h, 124, 12);
    if (!Number.isFinite(size))
      throw new DataError('a header has an unreadable size field.', this.archiveName);
    const type = String.fromCharCode(h[156] || 48);
    const isMeta = type === 'L' || type === 'x' || type === 'g';
    const limit = isMeta ? MAX_META_BYTES : this.maxMemberBytes;
    if (size > limit)
      throw new DataError(
        `the tar header of ${isMeta ? 'a metadata record' : `"${readString(h, 0, 100)}"`} declares ` +
          `${formatSize(size)}, over the ${formatSize(limit)} limit for one member (a corrupt or hostile archive; ` +
          'nothing of it was read).',
        this.archiveName,
      );
    const magic = readString(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? readString(h, 345, 155) : '';
    let name = readString(h, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (isMeta) {
      this.meta = { kind: type === 'L' ? 'L' : 'x', buf: new Uint8Array(size), fill: 0 };
      if (type === 'g') this.meta = { kind: 'x', buf: new Uint8Array(size), fill: 0 };
      this.current = { name: '(metadata)', size, type };
      if (size === 0) this.endMember();
      return;
    }
    if (this.longName) name = this.longName;
    if (this.paxPath) name = this.paxPath;
    this.longName = null;
    this.paxPath = null;
    this.members++;
    this.current = { name, size, type };
    this.sink = type === '0' || type === '7' ? this.onEntry(this.current) : null;
    if (size === 0) this.endMember();
  }

  private endMember(): void {
    if (this.meta) {
      const text = strFromU8(this.meta.buf);
      if (this.meta.kind === 'L') this.longName = text.replace(/\0+$/, '');
      else if (this.current?.type === 'x') {
        const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
        if (m) this.paxPath = m[1];
      }
      this.meta = null;
    } else this.sink?.end();
    this.sink = null;
  }
}

/**
 * A sink that collects one member into a buffer of its declared size (for the few members we keep).
 * @param onDone receives the complete bytes.
 */
export function collectSink(size: number, onDone: (bytes: Uint8Array) => void): TarEntrySink {
  const buf = new Uint8Array(size);
  let fill = 0;
  return {
    data(chunk) {
      buf.set(chunk, fill);
      fill += chunk.length;
    },
    end() {
      onDone(buf);
    },
  };
}

/**
 * Writes a ustar archive (tests and the data script's "build a .tar" helper). Names up to 100 bytes.
 * @param files [name, bytes] pairs, in order.
 */
export function writeTar(files: [string, Uint8Array][]): Uint8Array {
  let total = BLOCK * 2;
  for (const [, b] of files) total += BLOCK + Math.ceil(b.length / BLOCK) * BLOCK;
  const out = new Uint8Array(total);
  let off = 0;
  const enc = { encode: (s: string) => strToU8(s) };
  const put = (s: string, at: number, len: number) => out.set(enc.encode(s).subarray(0, len), at);
  for (const [name, bytes] of files) {
    if (enc.encode(name).length > 100) throw new Error(`writeTar: name too long: ${name}`);
    put(name, off, 100);
    put('0000644\0', off + 100, 8);
    put('0000000\0', off + 108, 8);
    put('0000000\0', off + 116, 8);
    put(bytes.length.toString(8).padStart(11, '0') + '\0', off + 124, 12);
    put('00000000000\0', off + 136, 12);
    put('        ', off + 148, 8);
    out[off + 156] = 48; // '0'
    put('ustar\0', off + 257, 6);
    put('00', off + 263, 2);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += out[off + i];
    put(sum.toString(8).padStart(6, '0') + '\0 ', off + 148, 8);
    off += BLOCK;
    out.set(bytes, off);
    off += Math.ceil(bytes.length / BLOCK) * BLOCK;
  }
  return out;
}

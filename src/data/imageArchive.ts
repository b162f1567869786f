import { DataError } from './errors';
import { imageSizeProblem } from './imageHeader';
import type { ImageSet } from './imageSet';
import { DEFAULT_LIMITS, makeYielder, type SizeLimits, type AbortSignalLike } from './limits';
import { toRgb32 } from './resize';
import { unzipBounded } from './zip';

/** A decoded image: RGBA pixels, row-major, as a browser's getImageData or pngjs return. */
export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, length width·height·4. */
  data: Uint8Array | Uint8ClampedArray;
}

/**
 * Decodes one encoded image (PNG, JPEG, …). The browser worker uses createImageBitmap + OffscreenCanvas; Node
 * tests use pure-JS decoders. Throws on bytes it cannot decode, with a reason that does not repeat the file name
 * (the caller prefixes it; a leading "<name>: " is stripped).
 */
export type ImageDecoder = (bytes: Uint8Array, name: string) => Promise<DecodedImage>;

/** A file from a zip or a dropped folder: its path and bytes. */
export interface NamedFile {
  name: string;
  bytes: Uint8Array;
}

const IMAGE_EXT = /\.(png|jpe?g|gif|bmp|webp)$/i;

/** True for paths that look like images (by extension), ignoring macOS resource forks and hidden files. */
export function isImagePath(path: string): boolean {
  const base = path.split('/').pop() ?? '';
  return IMAGE_EXT.test(base) && !base.startsWith('.') && !path.includes('__MACOSX/');
}

/**
 * The members of a zip archive (directories dropped), inflated under `limits` (declared sizes checked first).
 * @throws DataError for a non-zip, a corrupt zip, or one over the limits; LoadCancelled when `signal` aborts.
 */
export async function unzipFiles(
  bytes: Uint8Array,
  name: string,
  opts: { limits?: SizeLimits; signal?: AbortSignalLike } = {},
): Promise<NamedFile[]> {
  const files = await unzipBounded(bytes, name, opts.limits ?? DEFAULT_LIMITS, { signal: opts.signal });
  return [...files].map(([p, b]) => ({ name: p, bytes: b }));
}

/** What an image import produced besides the set: files skipped and why. */
export interface ImageImportReport {
  set: ImageSet;
  /** Non-image files that were ignored (by name). */
  skipped: string[];
  /** Image files that failed to decode, with the reason. */
  failed: { name: string; reason: string }[];
}

/**
 * Decodes a list of image files (a zip's members or a dropped folder) and resizes every image, whatever its size,
 * to 32×32 RGB ({@link toRgb32}: whole image, antialiased bilinear). Non-images are skipped and listed; images
 * whose header declares more than `limits.maxImagePixels`, or that fail to decode, are listed with the reason
 * (an oversized image is never handed to the decoder). Throws a {@link DataError} when no image could be used.
 * @param onProgress (done, total) after each image.
 */
export async function imagesToSet(
  files: NamedFile[],
  decode: ImageDecoder,
  opts: {
    name: string;
    onProgress?: (done: number, total: number) => void;
    signal?: AbortSignalLike;
    limits?: SizeLimits;
  },
): Promise<ImageImportReport> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const pause = makeYielder(opts.signal);
  const images = files.filter((f) => isImagePath(f.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const skipped = files.filter((f) => !isImagePath(f.name)).map((f) => f.name);
  if (images.length === 0)
    throw new DataError(
      `holds no images (.png, .jpg, .gif, .bmp, .webp)${skipped.length ? `; found only: ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''}` : ''}.`,
      opts.name,
    );
  const out = new Uint8Array(images.length * 3072);
  const failed: { name: string; reason: string }[] = [];
  let n = 0;
  for (let i = 0; i < images.length; i++) {
    await pause();
    try {
      const problem = imageSizeProblem(images[i].bytes, limits);
      if (problem) throw new Error(problem);
      const img = await decode(images[i].bytes, images[i].name);
      if (!(img.width > 0 && img.height > 0) || img.data.length !== img.width * img.height * 4)
        throw new Error(`decoder returned ${img.width}×${img.height} with ${img.data.length} bytes`);
      out.set(toRgb32(img.data, img.height, img.width, 4), n * 3072);
      n++;
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      const own = `${images[i].name}: `;
      failed.push({
        name: images[i].name,
        reason: reason.startsWith(own) ? reason.slice(own.length) : reason,
      });
    }
    opts.onProgress?.(i + 1, images.length);
  }
  if (n === 0)
    throw new DataError(
      `none of its ${images.length} image file(s) could be used (first: ${failed[0].name}: ${failed[0].reason})`,
      opts.name,
    );
  return {
    set: {
      name: opts.name,
      images: out.slice(0, n * 3072),
      n,
      height: 32,
      width: 32,
      channels: 3,
      labels: null,
    },
    skipped,
    failed,
  };
}

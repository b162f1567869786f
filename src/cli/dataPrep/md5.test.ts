import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../tests/helpers/fixtures';
import { CIFAR10_MD5, md5Hex, verifyCifar10Batch, verifyMd5 } from './md5';

describe('md5 verification of the data script', () => {
  // md5 recorded in tests/fixtures/cifar10/README.md with coreutils md5sum
  const fixture = readFixture('cifar10/test_first1000.bin');
  const recorded = '371f65da31ad652f5e24b3699a3e6515';

  it('accepts the exact bytes and rejects a one-byte change', () => {
    expect(md5Hex(fixture)).toBe(recorded);
    expect(verifyMd5('test_first1000.bin', fixture, recorded)).toBe(recorded);
    const changed = fixture.slice();
    changed[123456] ^= 1;
    expect(() => verifyMd5('test_first1000.bin', changed, recorded)).toThrow(
      /md5 [0-9a-f]{32} does not match the official 371f65da/,
    );
  });

  it('knows the six official CIFAR-10 digests and refuses a batch that is only a slice', () => {
    expect(Object.keys(CIFAR10_MD5)).toHaveLength(6);
    expect(() => verifyCifar10Batch('test_batch.bin', fixture)).toThrow(
      /does not match the official 803d5f7f/,
    );
  });

  it.runIf(existsSync('public/data/cifar10/test_batch.bin'))(
    'verifies the prepared test batch (when npm run data has run)',
    () => {
      const bytes = new Uint8Array(readFileSync('public/data/cifar10/test_batch.bin'));
      expect(verifyCifar10Batch('test_batch.bin', bytes)).toBe(CIFAR10_MD5['test_batch.bin']);
      bytes[9999] ^= 0x80;
      expect(() => verifyCifar10Batch('test_batch.bin', bytes)).toThrow(/does not match/);
    },
  );
});

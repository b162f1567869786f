import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/helpers/fixtures';
import { chunksOf, readTarGzStream } from './targz';
import { writeTar } from './tar';

const all = () => true;

describe('streamed .tar.gz reader', () => {
  it('reads an archive made by GNU tar (long names), in chunks of any size, with progress', async () => {
    const bytes = readFixture('archives/cifar10-mini-gnu.tar.gz');
    const fix = readFixture('cifar10/test_first1000.bin');
    for (const chunk of [1, 777, 1 << 20]) {
      const progress: number[] = [];
      const files = await readTarGzStream(chunksOf(bytes, chunk), all, {
        totalIn: bytes.length,
        onProgress: (p) => progress.push(p.bytesIn),
      });
      expect([...files.keys()].sort()).toEqual([
        'cifar-10-batches-bin/batches.meta.txt',
        'cifar-10-batches-bin/data_batch_1.bin',
        'cifar-10-batches-bin/test_batch.bin',
        `cifar-10-batches-bin/${'very_long_directory_name_'.repeat(4)}/readme.html`,
      ]);
      expect(
        Buffer.from(files.get('cifar-10-batches-bin/test_batch.bin')!).equals(
          Buffer.from(fix.subarray(0, 20 * 3073)),
        ),
      ).toBe(true);
      expect(
        Buffer.from(files.get('cifar-10-batches-bin/data_batch_1.bin')!).equals(
          Buffer.from(fix.subarray(20 * 3073, 50 * 3073)),
        ),
      ).toBe(true);
      expect(progress[progress.length - 1]).toBe(bytes.length);
    }
  });

  it('keeps only the members asked for, and reads a plain .tar', async () => {
    const tar = writeTar([
      ['a/x.bin', new Uint8Array([1, 2, 3])],
      ['a/y.txt', new Uint8Array(600).fill(9)],
    ]);
    const files = await readTarGzStream(chunksOf(gzipSync(tar), 100), (h) => h.name.endsWith('.bin'));
    expect([...files.keys()]).toEqual(['a/x.bin']);
    const plain = await readTarGzStream(chunksOf(tar, 333), all);
    expect(Array.from(plain.get('a/y.txt')!.subarray(595))).toEqual([9, 9, 9, 9, 9]);
  });

  it('rejects a truncated archive, a file that is not an archive, and gzip of something that is not tar', async () => {
    const bytes = readFixture('archives/cifar10-mini-gnu.tar.gz');
    await expect(
      readTarGzStream(chunksOf(bytes.subarray(0, bytes.length - 5000), 4096), all, { name: 'c.tar.gz' }),
    ).rejects.toThrow(/c\.tar\.gz: .*truncated/);
    const text = new TextEncoder().encode('x'.repeat(2000));
    await expect(readTarGzStream(chunksOf(text), all, { name: 'notes.txt' })).rejects.toThrow(
      /neither a \.tar\.gz nor a \.tar/,
    );
    await expect(readTarGzStream(chunksOf(gzipSync(text)), all, { name: 'n.gz' })).rejects.toThrow(
      /not a tar archive/,
    );
    // a tar cut inside a member, not gzipped
    const tar = writeTar([['big.bin', new Uint8Array(5000)]]);
    await expect(readTarGzStream(chunksOf(tar.subarray(0, 3000)), all, { name: 't.tar' })).rejects.toThrow(
      /ends in the middle of "big\.bin": it is truncated/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/helpers/fixtures';
import { nodeImageDecoder } from '../../tests/helpers/nodeImageDecoder';
import { loadFiles, type InputFile } from './loadFiles';
import { chunksOf } from './targz';

const input = (name: string, bytes: Uint8Array): InputFile => ({
  name,
  size: bytes.length,
  bytes: async () => bytes,
  stream: () => chunksOf(bytes, 4096),
});
const fx = (path: string, name = path.split('/').pop()!) => input(name, readFixture(path));
const opts = { decode: nodeImageDecoder, origin: 'test' };

describe('loadFiles: one drop, one role, all or nothing', () => {
  it('ID from a CIFAR-10 .tar.gz: train and test splits, class names from batches.meta.txt, progress', async () => {
    const progress: number[] = [];
    const r = await loadFiles([fx('archives/cifar10-mini-gnu.tar.gz')], 'id', {
      ...opts,
      onProgress: (p) => progress.push(p.done),
    });
    expect(r.sets.map((s) => [s.key, s.set.n])).toEqual([
      ['id:train', 30],
      ['id:test', 20],
    ]);
    expect(r.sets[0].set.classNames![3]).toBe('cat');
    expect(progress.length).toBeGreaterThan(3);
  });

  it('ID from .bin files, and a bad batch among good ones loads nothing and names the file', async () => {
    const test = readFixture('cifar10/test_first1000.bin');
    const ok = await loadFiles(
      [input('data_batch_1.bin', test.subarray(0, 3073 * 5)), input('test_batch.bin', test)],
      'id',
      opts,
    );
    expect(ok.sets.map((s) => s.set.n)).toEqual([5, 1000]);
    const bad = await loadFiles(
      [
        input('data_batch_1.bin', test.subarray(0, 3073 * 5)),
        input('data_batch_2.bin', test.subarray(0, 3073 * 5 - 7)),
      ],
      'id',
      opts,
    );
    expect(bad.sets).toEqual([]);
    expect(bad.messages).toEqual([
      expect.objectContaining({
        level: 'error',
        file: 'data_batch_2.bin',
        text: expect.stringMatching(/truncated.*Nothing from this drop was loaded/),
      }),
    ]);
    const foreign = await loadFiles([fx('images/mixed.zip')], 'id', opts);
    expect(foreign.messages[0].text).toMatch(/not a CIFAR file/);
    const notArchive = await loadFiles(
      [input('cifar-10-binary.tar.gz', new TextEncoder().encode('<html>404</html>'.repeat(40)))],
      'id',
      opts,
    );
    expect(notArchive.messages[0].text).toMatch(/neither a \.tar\.gz nor a \.tar/);
  });

  it('OOD: a CIFAR-layout .bin, Fashion-MNIST IDX with its labels, a zip of images; outliers: an .npz', async () => {
    const r = await loadFiles(
      [
        input('textures10-32.bin', readFixture('cifar10/test_first1000.bin').subarray(0, 3073 * 12)),
        fx('fashion-mnist/first20-images-idx3-ubyte.gz', 'fashion-mnist/t10k-images-idx3-ubyte.gz'),
        fx('fashion-mnist/first20-labels-idx1-ubyte.gz', 'fashion-mnist/t10k-labels-idx1-ubyte.gz'),
        fx('images/mixed.zip'),
      ],
      'ood',
      opts,
    );
    expect(r.sets.map((s) => [s.key, s.set.name, s.set.n])).toEqual([
      ['ood:textures10-32.bin', 'Textures', 12],
      ['ood:mixed.zip', 'mixed.zip', 4],
      ['ood:t10k-images-idx3-ubyte.gz', 'Fashion-MNIST', 20],
    ]);
    expect(r.sets[0].set.labels).toBeNull();
    expect(r.messages.some((m) => m.level === 'warning' && /skipped 2 non-image/.test(m.text))).toBe(true);
    const out = await loadFiles([fx('npz/samples-2.0.npz')], 'outliers', opts);
    expect(out.sets.map((s) => [s.key, s.set.n])).toEqual([['outliers', 4]]);
    const bad = await loadFiles([fx('images/no-images.zip')], 'outliers', opts);
    expect(bad.sets).toEqual([]);
    expect(bad.messages[0]).toMatchObject({ level: 'error', file: 'no-images.zip' });
  });
});

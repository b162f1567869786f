import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/helpers/fixtures';
import { nodeImageDecoder } from '../../tests/helpers/nodeImageDecoder';
import { loadFiles, type InputFile } from './loadFiles';
import { gzipSync } from 'fflate';
import { chunksOf } from './targz';
import { writeTar } from './tar';

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

  it('ID from a CIFAR-100 archive (coarse + fine labels, fine label names), and a cancelled read loads nothing', async () => {
    const rec = (coarse: number, fine: number) => {
      const r = new Uint8Array(3074);
      r[0] = coarse;
      r[1] = fine;
      r.fill(fine, 2);
      return r;
    };
    const join = (rs: Uint8Array[]) => {
      const out = new Uint8Array(rs.reduce((a, r) => a + r.length, 0));
      rs.reduce((o, r) => (out.set(r, o), o + r.length), 0);
      return out;
    };
    const names = Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n');
    const tgz = gzipSync(
      writeTar([
        ['cifar-100-binary/train.bin', join([rec(3, 42), rec(19, 99), rec(0, 7)])],
        ['cifar-100-binary/test.bin', join([rec(5, 11)])],
        ['cifar-100-binary/fine_label_names.txt', new TextEncoder().encode(names)],
      ]),
    );
    const r = await loadFiles([input('cifar-100-binary.tar.gz', tgz)], 'id', opts);
    expect(r.sets.map((s) => [s.key, s.set.name, s.set.n])).toEqual([
      ['id:train', 'CIFAR-100 train', 3],
      ['id:test', 'CIFAR-100 test', 1],
    ]);
    const train = r.sets[0].set;
    expect(Array.from(train.labels!)).toEqual([42, 99, 7]);
    expect(Array.from(train.coarseLabels!)).toEqual([3, 19, 0]);
    expect(train.classNames![99]).toBe('fine99');
    expect(train.images[3072 + 5]).toBe(99);

    let calls = 0;
    const abort = new AbortController();
    const cancelled = await loadFiles([fx('archives/cifar10-mini-gnu.tar.gz')], 'id', {
      ...opts,
      signal: abort.signal,
      onProgress: () => {
        if (++calls === 3) abort.abort();
      },
    });
    expect(cancelled.sets).toEqual([]);
    expect(cancelled.messages).toEqual([
      expect.objectContaining({ level: 'warning', text: 'cancelled; nothing was loaded.' }),
    ]);
  });
});

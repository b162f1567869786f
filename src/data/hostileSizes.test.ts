import { PNG } from 'pngjs';
import { gzipSync, zipSync } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import { jpegHeaderOnly, pngHeaderOnly, tarHeader, zeroTarGz, zeroZip } from '../../tests/helpers/hostile';
import { nodeImageDecoder } from '../../tests/helpers/nodeImageDecoder';
import { readImageHeader } from './imageHeader';
import { GiB, MiB, formatSize } from './limits';
import { loadFiles, type InputFile, type LoadOptions } from './loadFiles';
import { parseNpz } from './npy';
import { chunksOf, readTarGzStream } from './targz';
import { writeTar } from './tar';
import { unzipBounded } from './zip';

const input = (name: string, bytes: Uint8Array): InputFile => ({
  name,
  size: bytes.length,
  bytes: async () => bytes,
  stream: () => chunksOf(bytes, 64 * 1024),
});
const opts: LoadOptions = { decode: nodeImageDecoder, origin: 'test' };
const errorOf = (r: Awaited<ReturnType<typeof loadFiles>>) => {
  expect(r.sets).toEqual([]);
  const e = r.messages.find((m) => m.level === 'error');
  expect(e, JSON.stringify(r.messages)).toBeDefined();
  return `${e!.file}: ${e!.text}`;
};

describe('hostile sizes: refused on what they declare, before anything is allocated', () => {
  it('formats limits in binary units', () => {
    expect([formatSize(2 * GiB), formatSize(1.5 * GiB), formatSize(512 * MiB), formatSize(17)]).toEqual([
      '2 GiB',
      '1.50 GiB',
      '512 MiB',
      '17 B',
    ]);
  });

  it('a zip bomb made here (8 MiB of zeros → 8 kB) is refused by its declared size, nothing inflated', async () => {
    const bomb = zeroZip('zeros.bin', 8 * MiB);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const r = await loadFiles([input('bomb.zip', bomb)], 'ood', {
      ...opts,
      limits: { maxEntryBytes: 4 * MiB },
    });
    expect(errorOf(r)).toBe(
      'bomb.zip: entry "zeros.bin" would inflate to 8 MiB, over the 4 MiB limit for one entry (a zip bomb or a ' +
        'corrupt file; nothing was inflated). Nothing from this drop was loaded.',
    );
  });

  it('default limits: an entry declaring 2 GiB is refused by name and size; so is an archive total', async () => {
    const r = await loadFiles([input('textures.zip', zeroZip('big.png', 1024, 2 * GiB))], 'ood', opts);
    expect(errorOf(r)).toMatch(
      /^textures\.zip: entry "big\.png" would inflate to 2 GiB, over the 1 GiB limit/,
    );
    const many = zipSync({
      'a.bin': [new Uint8Array(3 * MiB), { level: 9 }],
      'b.bin': [new Uint8Array(3 * MiB), { level: 9 }],
    });
    await expect(
      unzipBounded(many, 'two.zip', { maxArchiveBytes: 5 * MiB, maxEntryBytes: GiB, maxImagePixels: 1 }),
    ).rejects.toThrow('two.zip: its 2 entries would inflate to 6 MiB, over the 5 MiB limit for one archive');
  });

  it('a bomb that lies about its size is stopped at the first slice that overflows the declared size', async () => {
    const liar = zeroZip('x.npy', 64 * MiB, 1000);
    expect(() => parseNpz(liar, 'liar.npz')).toThrow(
      'liar.npz: entry "x.npy" inflates past its declared 1000 B (a zip bomb or a corrupt file); stopped.',
    );
  });

  it('an npz whose x.npy declares 3 GiB is refused before inflating', async () => {
    const r = await loadFiles([input('samples-2.0.npz', zeroZip('x.npy', 4096, 3 * GiB))], 'outliers', opts);
    expect(errorOf(r)).toMatch(
      /^samples-2\.0\.npz: entry "x\.npy" would inflate to 3 GiB, over the 1 GiB limit/,
    );
  });

  it('a tar header declaring an 8 GiB member is named as such, not as "gzip data is corrupt"', async () => {
    for (const [size, shown] of [
      [8 * GiB, '8 GiB'],
      [8e9, '7.45 GiB'],
    ] as const) {
      const tgz = gzipSync(
        Uint8Array.from([
          ...tarHeader('cifar-10-batches-bin/data_batch_1.bin', size),
          ...new Uint8Array(4096),
        ]),
      );
      const r = await loadFiles([input('cifar-10-binary.tar.gz', tgz)], 'id', opts);
      const msg = errorOf(r);
      expect(msg).toBe(
        `cifar-10-binary.tar.gz: the tar header of "cifar-10-batches-bin/data_batch_1.bin" declares ${shown}, over ` +
          'the 1 GiB limit for one member (a corrupt or hostile archive; nothing of it was read). Nothing from ' +
          'this drop was loaded.',
      );
      expect(msg).not.toMatch(/gzip/);
    }
  });

  it('a tar.gz that inflates past the archive budget stops with the limit named (400 MiB of zeros in 0.4 MB)', async () => {
    const tgz = zeroTarGz([
      { name: 'a.bin', sizeMiB: 200 },
      { name: 'b.bin', sizeMiB: 200 },
    ]);
    expect(tgz.length).toBeLessThan(MiB);
    let out = 0;
    await expect(
      readTarGzStream(chunksOf(tgz, 4096), (h) => h.name.endsWith('.txt'), {
        name: 'bomb.tar.gz',
        totalIn: tgz.length,
        limits: { maxArchiveBytes: 256 * MiB, maxEntryBytes: GiB, maxImagePixels: 1 },
        onProgress: (p) => (out = p.bytesOut),
      }),
    ).rejects.toThrow(
      /^bomb\.tar\.gz: it inflates to more than 256 MiB, the limit for one archive \(stopped after/,
    );
    // it streamed up to the limit (progress seen past 200 MiB) and never reported more than the limit
    expect(out).toBeGreaterThan(200 * MiB);
    expect(out).toBeLessThanOrEqual(256 * MiB);
  });

  it('Cancel (AbortSignal) stops a long inflate within a second and loads nothing', async () => {
    const tgz = zeroTarGz([{ name: 'a.bin', sizeMiB: 900 }]);
    const abort = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = Date.now();
      abort.abort();
    }, 150);
    const r = await loadFiles([input('slow.tar.gz', tgz)], 'id', { ...opts, signal: abort.signal });
    const latency = Date.now() - abortedAt;
    expect(abortedAt).toBeGreaterThan(0);
    expect(r.sets).toEqual([]);
    expect(r.messages).toEqual([expect.objectContaining({ text: 'cancelled; nothing was loaded.' })]);
    expect(latency).toBeLessThan(1000);
  });

  it('a PNG header claiming 20000×20000 is never decoded; the reason names the size and the limit', async () => {
    const decode = vi.fn(nodeImageDecoder);
    const huge = pngHeaderOnly(20000, 20000);
    expect(huge.length).toBeLessThan(100);
    const r = await loadFiles([input('huge.png', huge)], 'ood', { ...opts, decode });
    expect(errorOf(r)).toBe(
      'images: none of its 1 image file(s) could be used (first: huge.png: its PNG header declares 20000×20000 ' +
        'pixels (400 MP, 1.49 GiB decoded), over the 50 MP limit for one image; it was not decoded.) Nothing ' +
        'from this drop was loaded.',
    );
    expect(decode).not.toHaveBeenCalled();
    // Inside a zip beside a good image: the good one loads, the huge one is a warning naming zip and member.
    const png = new PNG({ width: 4, height: 4 });
    const zip = zipSync({
      'ok.png': PNG.sync.write(png),
      'huge.png': huge,
      'wide.jpg': jpegHeaderOnly(60000, 9000),
    });
    const z = await loadFiles([input('set.zip', zip)], 'ood', { ...opts, decode });
    expect(z.sets[0].set.n).toBe(1);
    const warnings = z.messages.filter((m) => m.level === 'warning').map((m) => `${m.file}: ${m.text}`);
    expect(warnings).toEqual([
      'set.zip: huge.png: its PNG header declares 20000×20000 pixels (400 MP, 1.49 GiB decoded), over the 50 MP limit for one image; it was not decoded.',
      'set.zip: wide.jpg: its JPEG header declares 60000×9000 pixels (540 MP, 2.01 GiB decoded), over the 50 MP limit for one image; it was not decoded.',
    ]);
    expect(decode).toHaveBeenCalledTimes(1);
  });

  it('reads declared sizes from real encoder output (PNG by pngjs) and hand-made headers', () => {
    const png = new PNG({ width: 37, height: 23 });
    expect(readImageHeader(PNG.sync.write(png))).toEqual({ format: 'PNG', width: 37, height: 23 });
    expect(readImageHeader(jpegHeaderOnly(130, 71))).toEqual({ format: 'JPEG', width: 130, height: 71 });
    expect(readImageHeader(Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 5, 1, 7, 0]))).toEqual({
      format: 'GIF',
      width: 261,
      height: 7,
    });
    expect(readImageHeader(new TextEncoder().encode('not an image at all'))).toBeNull();
  });

  it('normal archives still load under the default limits', async () => {
    const tar = writeTar([
      ['x/data_batch_1.bin', new Uint8Array(3073 * 2)],
      ['x/test_batch.bin', new Uint8Array(3073)],
    ]);
    const r = await loadFiles([input('c.tar.gz', gzipSync(tar))], 'id', opts);
    expect(r.sets.map((s) => s.set.n)).toEqual([2, 1]);
  });
});

describe('decode warnings name each file once', () => {
  it('a decoder reason that repeats the file name is shown without the repeat', async () => {
    const png = new PNG({ width: 4, height: 4 });
    const good = new Uint8Array(PNG.sync.write(png));
    const bad = pngHeaderOnly(8, 8); // a header but no pixel data: the decoder fails
    const zip = zipSync({ 'a/ok.png': good, 'a/bad.png': bad });
    const r = await loadFiles([input('set.zip', zip)], 'ood', {
      ...opts,
      decode: async (bytes, name) => {
        if (bytes.length === bad.length) throw new Error(`${name}: the browser cannot decode this image`);
        return nodeImageDecoder(bytes, name);
      },
    });
    const warnings = r.messages.filter((m) => m.level === 'warning').map((m) => `${m.file}: ${m.text}`);
    expect(warnings).toEqual(['set.zip: a/bad.png: the browser cannot decode this image']);
  });
});

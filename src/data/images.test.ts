import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { readFixture } from '../../tests/helpers/fixtures';
import { nodeImageDecoder } from '../../tests/helpers/nodeImageDecoder';
import { imagesToSet, unzipFiles } from './imageArchive';
import { idxToRgb32, parseIdx } from './idx';
import { resizeToUint8 } from './resize';

const json = <T>(path: string): T => JSON.parse(new TextDecoder().decode(readFixture(path))) as T;

describe('zip/folder of images of any size → 32×32', () => {
  it('decodes PNG and JPEG of odd sizes, resizes like PIL BILINEAR, skips non-images', async () => {
    const files = await unzipFiles(readFixture('images/mixed.zip'), 'mixed.zip');
    const report = await imagesToSet(files, nodeImageDecoder, { name: 'mixed.zip' });
    expect(report.set.n).toBe(4);
    expect(report.skipped.sort()).toEqual(['__MACOSX/set/._odd_37x23.png', 'set/README.txt']);
    expect(report.failed).toEqual([]);
    const expected = json<Record<string, number[]>>('images/resized_pil_bilinear.json');
    // images are sorted by path: big_130x71.png, odd_37x23.png, small_20x17.jpg, tall_5x90.png
    const names = ['big_130x71.png', 'odd_37x23.png', 'small_20x17.jpg', 'tall_5x90.png'];
    names.forEach((name, i) => {
      const got = report.set.images.subarray(i * 3072, (i + 1) * 3072);
      // PIL works in 8-bit fixed point (22-bit coefficients); allow its rounding: ≤ 1 level, and JPEG decoders
      // (jpeg-js vs libjpeg) may differ by a few levels before the resize.
      const tol = name.endsWith('.jpg') ? 4 : 1;
      let worst = 0;
      for (let j = 0; j < 3072; j++) worst = Math.max(worst, Math.abs(got[j] - expected[name][j]));
      expect(worst, name).toBeLessThanOrEqual(tol);
    });
  });

  it('a zip with no images, a non-zip and an undecodable image give clear errors or reports', async () => {
    await expect(
      imagesToSet(await unzipFiles(readFixture('images/no-images.zip'), 'n.zip'), nodeImageDecoder, {
        name: 'n.zip',
      }),
    ).rejects.toThrow(/n\.zip: holds no images .*found only: (notes\.txt, data\.csv|data\.csv, notes\.txt)/);
    await expect(unzipFiles(new Uint8Array([1, 2, 3, 4, 5]), 'x.zip')).rejects.toThrow(/not a zip archive/);
    const zip = readFixture('images/mixed.zip');
    await expect(unzipFiles(zip.subarray(0, zip.length - 30), 'cut.zip')).rejects.toThrow(
      /corrupt or truncated/,
    );
    const broken = [{ name: 'a.png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) }];
    await expect(imagesToSet(broken, nodeImageDecoder, { name: 'folder' })).rejects.toThrow(
      /none of its 1 image file\(s\) could be used \(first: a\.png: not a PNG, JPEG, GIF, BMP or WebP image/,
    );
    const png = new PNG({ width: 3, height: 2 });
    png.data.fill(200);
    const mixed = [...broken, { name: 'b.png', bytes: new Uint8Array(PNG.sync.write(png)) }];
    const r = await imagesToSet(mixed, nodeImageDecoder, { name: 'folder' });
    expect(r.set.n).toBe(1);
    expect(r.failed.map((f) => f.name)).toEqual(['a.png']);
    expect(r.set.images.every((v) => v === 200)).toBe(true);
  });

  it('resize of a constant image stays constant; identity at the same size', () => {
    const img = new Uint8Array(17 * 29 * 3).fill(77);
    expect(resizeToUint8(img, 17, 29, 3, 32, 32).every((v) => v === 77)).toBe(true);
    const src = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 37) % 256);
    expect(Array.from(resizeToUint8(src, 32, 32, 3, 32, 32))).toEqual(Array.from(src));
  });
});

describe('IDX (MNIST family)', () => {
  it('reads gzipped Fashion-MNIST and resizes to 32×32 RGB like PIL (grey replicated)', () => {
    const images = parseIdx(readFixture('fashion-mnist/first20-images-idx3-ubyte.gz'), 'images');
    const labels = parseIdx(readFixture('fashion-mnist/first20-labels-idx1-ubyte.gz'), 'labels');
    expect(images.shape).toEqual([20, 28, 28]);
    const set = idxToRgb32(images, labels, { name: 'Fashion-MNIST', mode: 'resize' });
    const ref = json<{ label: number; resized: number[] }>('fashion-mnist/first_resized_pil_bilinear.json');
    expect(set.labels![0]).toBe(ref.label);
    let worst = 0;
    for (let p = 0; p < 1024; p++) {
      expect(set.images[3 * p]).toBe(set.images[3 * p + 1]);
      expect(set.images[3 * p]).toBe(set.images[3 * p + 2]);
      worst = Math.max(worst, Math.abs(set.images[3 * p] - ref.resized[p]));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('pads 28×28 to 32×32 by default (the one 28→32 rule), exactly as a plain recomputation', () => {
    const images = parseIdx(readFixture('fashion-mnist/first20-images-idx3-ubyte.gz'), 'images');
    const padded = idxToRgb32(images, null, { name: 'F' });
    expect(padded.n).toBe(20);
    let wrong = 0;
    let nonzero = 0;
    for (let i = 0; i < 20; i++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) {
          const inside = y >= 2 && y < 30 && x >= 2 && x < 30;
          const want = inside ? images.data[i * 784 + (y - 2) * 28 + (x - 2)] : 0;
          const o = ((i * 32 + y) * 32 + x) * 3;
          for (let c = 0; c < 3; c++) if (padded.images[o + c] !== want) wrong++;
          if (want) nonzero++;
        }
    expect(wrong).toBe(0);
    expect(nonzero).toBeGreaterThan(5000); // real clothes, not an all-zero comparison
  });

  it('rejects a non-IDX file, an unsupported type and a truncated file', () => {
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4, 5]), 'a')).toThrow(/not an IDX file/);
    expect(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), 'f')).toThrow(
      /type 0xd is not supported/,
    );
    const hdr = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28];
    expect(() => parseIdx(new Uint8Array([...hdr, ...new Array(784).fill(1)]), 'cut')).toThrow(
      /truncated: the header declares shape \(2, 28, 28\) = 1568 bytes, the file holds 784/,
    );
    const gz = readFixture('fashion-mnist/first20-images-idx3-ubyte.gz');
    expect(() => parseIdx(gz.subarray(0, 100), 'cut.gz')).toThrow(/gzip data is corrupt or truncated/);
  });
});

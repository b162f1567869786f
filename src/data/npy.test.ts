import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from './errors';
import { encodeNpy, parseNpy, parseNpz } from './npy';
import { readOutlierNpz, writeOutlierNpz } from './outliers/npzOutliers';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../tests/fixtures/npz/${name}`, import.meta.url)));
/** The value reference/make_npz_fixtures.py stored at x[n, c, y, x]. */
const expected = (n: number, c: number, y: number, x: number) => (7 * n + 3 * c + 5 * y + 11 * x) % 256;

describe('npy / npz reader on files numpy wrote', () => {
  it('reads samples-<σ²>.npz (np.savez, stored) into NHWC with the right pixel at every index', () => {
    const set = readOutlierNpz(fixture('samples-2.0.npz'), 'samples-2.0.npz');
    expect([set.n, set.height, set.width, set.channels]).toEqual([4, 32, 32, 3]);
    for (let n = 0; n < 4; n++)
      for (let y = 0; y < 32; y += 7)
        for (let x = 0; x < 32; x += 5)
          for (let c = 0; c < 3; c++)
            expect(set.images[((n * 32 + y) * 32 + x) * 3 + c]).toBe(expected(n, c, y, x));
  });

  it('reads np.savez_compressed (deflated members) and other dtypes', () => {
    const arrays = parseNpz(fixture('samples-compressed.npz'));
    expect(arrays.get('x')!.shape).toEqual([4, 3, 32, 32]);
    const extra = arrays.get('extra')!;
    expect(extra.dtype).toBe('<i8');
    expect(Array.from(new BigInt64Array(extra.data.slice().buffer))).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(readOutlierNpz(fixture('samples-compressed.npz')).images[3]).toBe(expected(0, 0, 0, 1));
  });

  it('round-trips through the writer (the layout the PyTorch reference reads)', () => {
    const set = readOutlierNpz(fixture('samples-2.0.npz'));
    const again = readOutlierNpz(writeOutlierNpz(set));
    expect(Buffer.from(again.images).equals(Buffer.from(set.images))).toBe(true);
    const npy = parseNpy(
      encodeNpy({ dtype: '|u1', shape: [2, 3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) }),
    );
    expect(npy.shape).toEqual([2, 3]);
    expect(Array.from(npy.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it.each([
    ['wrong-dtype.npz', /dtype <f4; expected uint8/],
    ['wrong-shape.npz', /shape \(4, 3, 16, 32\); expected \(N, 3, 32, 32\)/],
    ['no-x.npz', /no array named 'x' \(found: y\)/],
  ])('rejects %s with a clear message', (name, msg) => {
    expect(() => readOutlierNpz(fixture(name), name)).toThrow(msg);
  });

  it('rejects a truncated npz, a truncated npy and a file that is not a zip', () => {
    const full = fixture('samples-2.0.npz');
    expect(() => readOutlierNpz(full.subarray(0, 5000), 'cut.npz')).toThrow(DataError);
    expect(() => readOutlierNpz(full.subarray(0, 5000), 'cut.npz')).toThrow(/corrupt or truncated/);
    const npy = encodeNpy({ dtype: '|u1', shape: [10, 3], data: new Uint8Array(30) });
    expect(() => parseNpy(npy.subarray(0, npy.length - 1), 'a.npy')).toThrow(/truncated: shape \(10, 3\)/);
    expect(() => readOutlierNpz(new TextEncoder().encode('hello world'), 'hello.txt')).toThrow(
      /no zip signature/,
    );
  });
});

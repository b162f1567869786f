import { strFromU8, strToU8, zipSync } from 'fflate';
import { DataError } from './errors';
import { DEFAULT_LIMITS, type SizeLimits, type AbortSignalLike } from './limits';
import { isZip, unzipBounded, unzipBoundedSync } from './zip';

/** A numpy array as read from / written to a `.npy`: raw little-endian data plus dtype and shape. */
export interface NpyArray {
  /** numpy dtype descriptor, e.g. '|u1', '<f4', '<i8'. */
  dtype: string;
  shape: number[];
  fortranOrder: boolean;
  /** The array's bytes (C order unless fortranOrder). */
  data: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DTYPE_SIZES: Record<string, number> = {
  b1: 1,
  u1: 1,
  i1: 1,
  u2: 2,
  i2: 2,
  u4: 4,
  i4: 4,
  f4: 4,
  u8: 8,
  i8: 8,
  f8: 8,
  f2: 2,
};

/**
 * Parses a `.npy` file (format versions 1.0–3.0). Only the header dictionary that numpy writes is
 * understood ({'descr': …, 'fortran_order': …, 'shape': (…)}); object arrays are refused.
 * @throws DataError naming the file for a wrong magic, a malformed header, or data shorter than the shape.
 */
export function parseNpy(bytes: Uint8Array, name = 'array.npy'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m))
    throw new DataError('not a numpy .npy array (missing the \\x93NUMPY signature).', name);
  const major = bytes[6];
  const headerLenBytes = major === 1 ? 2 : 4;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = 8 + headerLenBytes;
  if (start + hlen > bytes.length) throw new DataError('the .npy header is truncated.', name);
  const header = strFromU8(bytes.subarray(start, start + hlen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) throw new DataError(`unreadable .npy header: ${header.trim()}`, name);
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number(s));
  if (dims.some((d) => !Number.isInteger(d) || d < 0))
    throw new DataError(`bad shape (${shape[1]}) in the .npy header.`, name);
  const kind = descr[1].slice(1);
  const size = DTYPE_SIZES[kind];
  if (!size)
    throw new DataError(`unsupported dtype '${descr[1]}' (object or string arrays cannot be read).`, name);
  const count = dims.reduce((a, b) => a * b, 1);
  const dataStart = start + hlen;
  const need = count * size;
  if (bytes.length - dataStart < need)
    throw new DataError(
      `the data is truncated: shape (${dims.join(', ')}) of ${descr[1]} needs ${need} bytes, the file holds ${bytes.length - dataStart}.`,
      name,
    );
  return {
    dtype: descr[1],
    shape: dims,
    fortranOrder: fortran[1] === 'True',
    data: bytes.subarray(dataStart, dataStart + need),
  };
}

/** Writes a `.npy` (version 1.0, header padded to a multiple of 64 bytes as numpy does). */
export function encodeNpy(arr: { dtype: string; shape: number[]; data: Uint8Array }): Uint8Array {
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let header = `{'descr': '${arr.dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + arr.data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(strToU8(header), 10);
  out.set(arr.data, 10 + header.length);
  return out;
}

const NOT_NPZ = 'not a .npz file (a .npz is a zip archive; this file has no zip signature).';

function arraysOf(files: Map<string, Uint8Array>, name: string): Map<string, NpyArray> {
  const out = new Map<string, NpyArray>();
  for (const [member, data] of files)
    out.set(member.replace(/\.npy$/, ''), parseNpy(data, `${name}/${member}`));
  if (out.size === 0) throw new DataError('the archive holds no .npy arrays.', name);
  return out;
}

/**
 * Reads a `.npz` (a zip of `.npy` members, stored or deflated) under size limits (declared entry sizes are
 * checked before anything is inflated; see {@link unzipBounded}).
 * @returns arrays by name without the `.npy` suffix.
 * @throws DataError for a file that is not a zip, holds no .npy arrays, or exceeds the limits.
 */
export function parseNpz(bytes: Uint8Array, name = 'arrays.npz', limits: SizeLimits = DEFAULT_LIMITS) {
  if (!isZip(bytes)) throw new DataError(NOT_NPZ, name);
  return arraysOf(
    unzipBoundedSync(bytes, name, limits, (f) => f.endsWith('.npy')),
    name,
  );
}

/** {@link parseNpz} that yields to the event loop while inflating, so `signal` (Cancel) is honoured. */
export async function parseNpzAsync(
  bytes: Uint8Array,
  name: string,
  opts: { limits?: SizeLimits; signal?: AbortSignalLike } = {},
): Promise<Map<string, NpyArray>> {
  if (!isZip(bytes)) throw new DataError(NOT_NPZ, name);
  const files = await unzipBounded(bytes, name, opts.limits ?? DEFAULT_LIMITS, {
    filter: (f) => f.endsWith('.npy'),
    signal: opts.signal,
  });
  return arraysOf(files, name);
}

/** Writes a `.npz` as `np.savez` does (uncompressed zip members `<name>.npy`). */
export function encodeNpz(
  arrays: Record<string, { dtype: string; shape: number[]; data: Uint8Array }>,
): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [k, v] of Object.entries(arrays)) files[`${k}.npy`] = [encodeNpy(v), { level: 0 }];
  return zipSync(files);
}

/**
 * The safetensors container (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length
 * N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`
 * (offsets relative to the byte after the header), then raw little-endian data. No code runs when reading it,
 * unlike pickle. Pure TypeScript, no tfjs. Little-endian hosts only (every browser and Node platform we target).
 */
import { strFromU8, strToU8 } from 'fflate';

/** Element types this reader understands. */
export type SafetensorsDtype = 'F32' | 'F64' | 'I64' | 'I32' | 'U8';
export type SafetensorsData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** One tensor of a safetensors file (row-major, PyTorch layout). */
export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

/** A parsed file: tensors in file order, and the free-form string metadata. */
export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, I64: 8, I32: 4, U8: 1 };

/** Why a file that is not safetensors was rejected, with what to do instead (pickle is never parsed). */
function notSafetensors(bytes: Uint8Array): string | null {
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const pickle = bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
  if (!zip && !pickle) return null;
  return PICKLE_ADVICE;
}

/** What to do with a PyTorch checkpoint (legacy pickle, or the zip `torch.save` writes with data.pkl inside). */
export const PICKLE_ADVICE =
  'This looks like a PyTorch .pt/.pth checkpoint (pickle), which the app never opens because unpickling can ' +
  'run arbitrary code. Convert it to safetensors once in Python:\n' +
  '  import torch; from safetensors.torch import save_file\n' +
  "  sd = torch.load('model.pt', map_location='cpu'); sd = sd.get('state_dict', sd)\n" +
  "  save_file({k: v.contiguous() for k, v in sd.items()}, 'model.safetensors')";

function makeArray(dtype: SafetensorsDtype, buffer: ArrayBuffer): SafetensorsData {
  switch (dtype) {
    case 'F32':
      return new Float32Array(buffer);
    case 'F64':
      return new Float64Array(buffer);
    case 'I64':
      return new BigInt64Array(buffer);
    case 'I32':
      return new Int32Array(buffer);
    case 'U8':
      return new Uint8Array(buffer);
  }
}

/**
 * Parse a safetensors file. Throws a readable error for pickle checkpoints, truncated files, bad headers,
 * unsupported dtypes (e.g. F16/BF16) and inconsistent offsets. Data are copied into aligned typed arrays.
 */
export function parseSafetensors(input: ArrayBuffer | Uint8Array): SafetensorsFile {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const pickleMessage = notSafetensors(bytes);
  if (pickleMessage) throw new Error(pickleMessage);
  if (bytes.length < 8) throw new Error('not a safetensors file: shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength < 2 || 8 + headerLength > bytes.length) {
    throw new Error(
      `not a safetensors file: header length ${headerLength} does not fit a ${bytes.length}-byte file`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(strFromU8(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch {
    throw new Error('not a safetensors file: the header is not valid JSON');
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const info = raw as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const dtype = info.dtype as SafetensorsDtype;
    if (!(dtype in BYTES)) {
      throw new Error(
        `tensor '${name}' has dtype ${info.dtype}; supported: F32, F64, I64, I32, U8 (save as float32)`,
      );
    }
    const shape = info.shape ?? [];
    const [begin, end] = info.data_offsets ?? [-1, -1];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!(begin >= 0 && end >= begin && end <= dataLength) || end - begin !== count * BYTES[dtype]) {
      throw new Error(
        `tensor '${name}' has inconsistent data offsets [${begin}, ${end}] for ${dtype}[${shape}]`,
      );
    }
    const copy = bytes.slice(dataStart + begin, dataStart + end).buffer;
    tensors.set(name, { dtype, shape, data: makeArray(dtype, copy) });
  }
  return { tensors, metadata };
}

/**
 * Serialise tensors (in the given order) to a safetensors file. The header is padded with spaces to a multiple
 * of 8 bytes so every tensor's data is aligned, as the reference implementation does.
 */
export function serializeSafetensors(
  tensors: Iterable<[string, SafetensorsTensor]>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) {
      throw new Error(`tensor '${name}': ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    }
    const chunk = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + chunk.length] };
    chunks.push(chunk);
    offset += chunk.length;
  }
  if (metadata) header.__metadata__ = metadata;
  let json = strToU8(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

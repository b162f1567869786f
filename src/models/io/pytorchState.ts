import * as tf from '@tensorflow/tfjs-core';
import type { ModelState, WrnConfig } from '../types';
import { assertFiniteWeights } from './validate';
import { wrnStateEntries, type StateEntry } from '../wrnSpec';
import {
  parseSafetensors,
  serializeSafetensors,
  type SafetensorsFile,
  type SafetensorsTensor,
} from './safetensors';

/**
 * PyTorch state_dict (pytorch-ood `WideResNet`, OOD_SPEC.md §4) ↔ the app's `ModelState`.
 * Layouts: conv [out,in,kh,kw] ↔ tfjs [kh,kw,in,out]; fc.weight [C,in] ↔ [in,C]; vectors unchanged.
 * A `module.` prefix (nn.DataParallel) is stripped on import. num_batches_tracked (int64) may be absent.
 */

const CONV_TORCH_TO_TF = [2, 3, 1, 0];
const CONV_TF_TO_TORCH = [3, 2, 0, 1];

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function stripModulePrefix(file: SafetensorsFile): Map<string, SafetensorsTensor> {
  const out = new Map<string, SafetensorsTensor>();
  for (const [k, v] of file.tensors) out.set(k.startsWith('module.') ? k.slice(7) : k, v);
  return out;
}

/**
 * Infer depth, widen factor and class count from a pytorch-ood WideResNet state_dict (dropRate is not stored;
 * pass it). Throws if the keys do not look like one.
 */
export function inferWrnConfig(file: SafetensorsFile, dropRate = 0.3): WrnConfig {
  const tensors = stripModulePrefix(file);
  const fc = tensors.get('fc.weight');
  const first = tensors.get('block1.layer.0.conv1.weight');
  if (!fc || !first || fc.shape.length !== 2 || first.shape.length !== 4) {
    throw new Error(
      "this file is not a pytorch-ood WideResNet state_dict: 'fc.weight' [C, 64k] and " +
        "'block1.layer.0.conv1.weight' [16k, 16, 3, 3] were not both found",
    );
  }
  let n = 0;
  while (tensors.has(`block1.layer.${n}.conv1.weight`)) n++;
  return {
    kind: 'wrn',
    depth: 6 * n + 4,
    widenFactor: first.shape[0] / 16,
    numClasses: fc.shape[0],
    dropRate,
  };
}

function toFloat32(name: string, t: SafetensorsTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.data instanceof Float64Array) return Float32Array.from(t.data);
  throw new Error(`'${name}' has dtype ${t.dtype}; weights must be F32 or F64`);
}

/** Convert one entry's PyTorch tensor to the tfjs layout (returns a new tensor). */
export function torchToTf(e: StateEntry, t: SafetensorsTensor): tf.Tensor {
  const values = toFloat32(e.key, t);
  return tf.tidy(() => {
    const x = tf.tensor(values, e.torchShape, 'float32');
    if (e.kind === 'conv') return tf.transpose(x, CONV_TORCH_TO_TF);
    if (e.kind === 'fcWeight') return tf.transpose(x);
    return x;
  });
}

/**
 * Map a parsed safetensors file onto a WRN's state. Every key and shape must match `config` exactly
 * (strict, as PyTorch's load_state_dict(strict=True)); the error names the first mismatching key and shapes.
 * Weights holding NaN or ±Inf are refused, naming the tensor.
 * @returns a `ModelState` whose tensors the caller owns.
 */
export function stateFromPytorch(file: SafetensorsFile, config: WrnConfig): ModelState {
  const tensors = stripModulePrefix(file);
  const entries = wrnStateEntries(config);
  const arch = `WRN-${config.depth}-${config.widenFactor} (${config.numClasses} classes)`;
  for (const e of entries) {
    const t = tensors.get(e.key);
    if (!t) {
      if (e.kind === 'bnCount') continue;
      throw new Error(
        `key '${e.key}' ${shapeText(e.torchShape)} expected by ${arch} is missing from the file`,
      );
    }
    if (!tf.util.arraysEqual(t.shape, e.torchShape)) {
      throw new Error(
        `key '${e.key}' has shape ${shapeText(t.shape)} in the file, but ${arch} expects ${shapeText(e.torchShape)}`,
      );
    }
  }
  const known = new Set(entries.map((e) => e.key));
  for (const [k, t] of tensors) {
    if (!known.has(k)) throw new Error(`unexpected key '${k}' ${shapeText(t.shape)}: not part of ${arch}`);
  }
  assertFiniteWeights(
    entries.filter((e) => e.kind !== 'bnCount').map((e) => [e.key, toFloat32(e.key, tensors.get(e.key)!)]),
  );
  const state: ModelState = { tensors: new Map(), numBatchesTracked: 0 };
  for (const e of entries) {
    const t = tensors.get(e.key);
    if (e.kind === 'bnCount') {
      if (t && state.numBatchesTracked === 0) state.numBatchesTracked = Number(t.data[0] ?? 0);
      continue;
    }
    state.tensors.set(e.key, torchToTf(e, t!));
  }
  return state;
}

/** Parse safetensors bytes and map them (see `stateFromPytorch`); `config` defaults to the inferred one. */
export function importPytorchSafetensors(
  bytes: ArrayBuffer | Uint8Array,
  config?: WrnConfig,
): { config: WrnConfig; state: ModelState } {
  const file = parseSafetensors(bytes);
  const cfg = config ?? inferWrnConfig(file);
  return { config: cfg, state: stateFromPytorch(file, cfg) };
}

/**
 * Serialise a WRN state to safetensors with pytorch-ood's key names, order and layouts, loadable with
 * `model.load_state_dict(safetensors.torch.load_file(path), strict=True)`. Reads tensor data synchronously.
 */
export function exportPytorchSafetensors(
  state: ModelState,
  config: WrnConfig,
  metadata: Record<string, string> = {},
): Uint8Array {
  const out: [string, SafetensorsTensor][] = [];
  for (const e of wrnStateEntries(config)) {
    if (e.kind === 'bnCount') {
      out.push([e.key, { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(state.numBatchesTracked)) }]);
      continue;
    }
    const t = state.tensors.get(e.key);
    if (!t) throw new Error(`state is missing '${e.key}'`);
    const data = tf.tidy(() => {
      if (e.kind === 'conv') return tf.transpose(t, CONV_TF_TO_TORCH);
      if (e.kind === 'fcWeight') return tf.transpose(t);
      return t.clone();
    });
    const values = data.dataSync() as Float32Array;
    data.dispose();
    out.push([e.key, { dtype: 'F32', shape: e.torchShape, data: new Float32Array(values) }]);
  }
  return serializeSafetensors(out, { format: 'pt', ...metadata });
}

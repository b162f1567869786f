import * as tf from '@tensorflow/tfjs-core';
import { unzipSync, zipSync, strFromU8, strToU8 } from 'fflate';
import { exportPytorchSafetensors, inferWrnConfig, stateFromPytorch } from '../models/io/pytorchState';
import { parseSafetensors, type SafetensorsData } from '../models/io/safetensors';
import type { ModelState, WrnConfig } from '../models/types';

/** What travels with exported weights (manifest.json in the zip, metadata in safetensors). */
export interface WeightsManifest {
  format: 'aoe-playground-wrn';
  version: 1;
  architecture: WrnConfig;
  normalization: { mean: number[]; std: number[] };
  classes: string[];
  trainingConfig: unknown;
  seed: number | null;
  metrics: unknown;
  numBatchesTracked: number;
}

/**
 * tfjs-artifacts zip: model.json (tfjs weightsManifest, float32, state_dict keys as names), weights.bin and
 * manifest.json. LOCAL version until the WRN engineer's tfjs zip I/O lands (same content).
 */
export async function exportTfjsZip(state: ModelState, manifest: WeightsManifest): Promise<Uint8Array> {
  const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const chunks: Float32Array[] = [];
  for (const [name, t] of state.tensors) {
    specs.push({ name, shape: t.shape.slice(), dtype: 'float32' });
    chunks.push((await t.data()) as Float32Array);
  }
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const weights = new Float32Array(total);
  let o = 0;
  for (const c of chunks) {
    weights.set(c, o);
    o += c.length;
  }
  const modelJson = {
    format: 'aoe-playground-wrn',
    generatedBy: 'AOE Playground',
    modelTopology: manifest.architecture,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  return zipSync({
    'model.json': strToU8(JSON.stringify(modelJson, null, 2)),
    'weights.bin': new Uint8Array(weights.buffer),
    'manifest.json': strToU8(JSON.stringify(manifest, null, 2)),
  });
}

/** Read a zip written by `exportTfjsZip`. @throws with a message naming what is missing or mismatched. */
export function importTfjsZip(bytes: Uint8Array): { manifest: WeightsManifest; state: ModelState } {
  const files = unzipSync(bytes);
  for (const f of ['model.json', 'weights.bin', 'manifest.json'])
    if (!files[f]) throw new Error(`The zip has no ${f}; expected a tfjs export of this app.`);
  const model = JSON.parse(strFromU8(files['model.json'])) as {
    weightsManifest: { weights: { name: string; shape: number[] }[] }[];
  };
  const manifest = JSON.parse(strFromU8(files['manifest.json'])) as WeightsManifest;
  const raw = files['weights.bin'];
  const data = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const tensors = new Map<string, tf.Tensor>();
  let o = 0;
  for (const w of model.weightsManifest[0].weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (o + size > data.length)
      throw new Error(`weights.bin is too short for "${w.name}" ${JSON.stringify(w.shape)}.`);
    tensors.set(w.name, tf.tensor(data.subarray(o, o + size), w.shape));
    o += size;
  }
  if (o !== data.length)
    throw new Error(`weights.bin has ${data.length - o} floats more than model.json lists.`);
  return { manifest, state: { tensors, numBatchesTracked: manifest.numBatchesTracked ?? 0 } };
}

/**
 * safetensors with pytorch-ood's state_dict names and layouts (the WRN engineer's I/O). That serialiser reads
 * tensors synchronously; on WebGPU a synchronous read (tfjs' canvas-based readSync) leaves SwiftShader unable to
 * create mapped buffers afterwards ("createBuffer … too large … mappedAtCreation"), so the values are read
 * asynchronously first and serialised on the CPU backend, then the previous backend is restored.
 */
export async function exportSafetensors(state: ModelState, manifest: WeightsManifest): Promise<Uint8Array> {
  const values = new Map<string, { v: Float32Array; shape: number[] }>();
  for (const [k, t] of state.tensors)
    values.set(k, { v: (await t.data()) as Float32Array, shape: t.shape.slice() });
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    const cpu = new Map([...values].map(([k, { v, shape }]) => [k, tf.tensor(v, shape)]));
    try {
      return exportPytorchSafetensors(
        { tensors: cpu, numBatchesTracked: state.numBatchesTracked },
        manifest.architecture,
        {
          format: 'pt',
          aoe_manifest: JSON.stringify({ ...manifest, architecture: undefined }),
        },
      );
    } finally {
      tf.dispose([...cpu.values()]);
    }
  } finally {
    await tf.setBackend(previous);
  }
}

/** Parse PyTorch-layout safetensors into a WRN state (each tensor's data copied out of the file buffer). */
export function importSafetensors(
  bytes: Uint8Array,
  dropRate: number,
): { config: WrnConfig; state: ModelState } {
  const file = parseSafetensors(bytes);
  for (const t of file.tensors.values()) t.data = t.data.slice() as SafetensorsData;
  const config = { ...inferWrnConfig(file, dropRate), dropRate };
  return { config, state: stateFromPytorch(file, config) };
}

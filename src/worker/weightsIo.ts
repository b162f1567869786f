import * as tf from '@tensorflow/tfjs-core';
import { exportModelZip, importModelZip, type ModelManifest } from '../models/io/modelZip';
import { exportPytorchSafetensors, inferWrnConfig, stateFromPytorch } from '../models/io/pytorchState';
import { parseSafetensors, type SafetensorsData } from '../models/io/safetensors';
import type { ModelState, WrnConfig } from '../models/types';

export type WeightsManifest = ModelManifest & { numBatchesTracked?: number };

/** tfjs-artifacts zip (model.json + weights.bin + manifest.json): the WRN engineer's format. */
export async function exportTfjsZip(state: ModelState, manifest: WeightsManifest): Promise<Uint8Array> {
  return exportModelZip(state, manifest);
}

export function importTfjsZip(bytes: Uint8Array): { manifest: ModelManifest; state: ModelState } {
  return importModelZip(bytes);
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

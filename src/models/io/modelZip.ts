import * as tf from '@tensorflow/tfjs-core';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { ModelState, WrnConfig } from '../types';
import { validateWrnConfig, wrnStateEntries } from '../wrnSpec';

/** What travels with exported weights (manifest.json in the zip). */
export interface ModelManifest {
  format: 'aoe-playground-model';
  version: 1;
  architecture: WrnConfig;
  /** Per-channel input normalisation the weights expect: x_model = (x_pixel∈[0,1] − mean)/std, RGB order. */
  normalization: { mean: [number, number, number]; std: [number, number, number] };
  /** Class names, index = logit position. */
  classes: string[];
  /** The training config that produced the weights (serialisable; null for imported/pretrained weights). */
  training: Record<string, unknown> | null;
  seed: number | null;
  /** Headline metrics (e.g. accuracy, AUROC), as fractions. */
  metrics: Record<string, number>;
  /** ISO time of export. */
  createdAt: string;
}

/** tfjs weights-manifest artifacts (the format tf.io's loaders read), with our architecture as topology. */
interface ModelJson {
  format: 'aoe-playground-wrn';
  generatedBy: string;
  convertedBy: null;
  modelTopology: { architecture: WrnConfig; numBatchesTracked: number };
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Bundle a model's state as ONE zip: manifest.json, model.json (tfjs weights manifest) and weights.bin
 * (float32, little-endian, in state_dict order, tfjs layouts). Async because reading tensors is.
 */
export async function exportModelZip(state: ModelState, manifest: ModelManifest): Promise<Uint8Array> {
  validateWrnConfig(manifest.architecture);
  const named: tf.NamedTensorMap = {};
  for (const e of wrnStateEntries(manifest.architecture)) {
    if (e.kind === 'bnCount') continue;
    const t = state.tensors.get(e.key);
    if (!t) throw new Error(`state is missing '${e.key}'`);
    named[e.key] = t;
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  const modelJson: ModelJson = {
    format: 'aoe-playground-wrn',
    generatedBy: 'AOE Playground',
    convertedBy: null,
    modelTopology: { architecture: manifest.architecture, numBatchesTracked: state.numBatchesTracked },
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  return zipSync({
    'manifest.json': strToU8(JSON.stringify(manifest, null, 2)),
    'model.json': strToU8(JSON.stringify(modelJson, null, 2)),
    'weights.bin': [new Uint8Array(data as ArrayBuffer), { level: 0 }],
  });
}

/**
 * Read a zip written by `exportModelZip`. Throws a readable error for a missing file, a foreign format, or
 * weights that do not match the architecture (naming the first bad key and shapes).
 * @returns the manifest and the state (the caller owns its tensors).
 */
export function importModelZip(bytes: Uint8Array): { manifest: ModelManifest; state: ModelState } {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch {
    throw new Error('not a model zip: the file could not be unzipped');
  }
  for (const name of ['manifest.json', 'model.json', 'weights.bin']) {
    if (!files[name]) throw new Error(`not an AOE Playground model zip: '${name}' is missing`);
  }
  const manifest = JSON.parse(strFromU8(files['manifest.json'])) as ModelManifest;
  const modelJson = JSON.parse(strFromU8(files['model.json'])) as ModelJson;
  if (manifest.format !== 'aoe-playground-model' || modelJson.format !== 'aoe-playground-wrn') {
    throw new Error(`unknown model format '${manifest.format}' / '${modelJson.format}'`);
  }
  const config = modelJson.modelTopology.architecture;
  validateWrnConfig(config);
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const expected = wrnStateEntries(config).filter((e) => e.kind !== 'bnCount');
  for (const e of expected) {
    const spec = specs.find((s) => s.name === e.key);
    if (!spec) throw new Error(`weights lack '${e.key}' [${e.tfShape.join(', ')}]`);
    if (!tf.util.arraysEqual(spec.shape, e.tfShape)) {
      throw new Error(`'${e.key}' has shape [${spec.shape.join(', ')}], expected [${e.tfShape.join(', ')}]`);
    }
  }
  if (specs.length !== expected.length) {
    const extra = specs.find((s) => !expected.some((e) => e.key === s.name));
    throw new Error(`unexpected weight '${extra?.name}' for WRN-${config.depth}-${config.widenFactor}`);
  }
  const w = files['weights.bin'];
  const buffer = w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer;
  const decoded = tf.io.decodeWeights(buffer, specs);
  const tensors = new Map<string, tf.Tensor>(expected.map((e) => [e.key, decoded[e.key]]));
  return { manifest, state: { tensors, numBatchesTracked: modelJson.modelTopology.numBatchesTracked } };
}

import * as tf from '@tensorflow/tfjs-core';
import { strFromU8, strToU8, zipSync } from 'fflate';
import { DEFAULT_LIMITS } from '../../data/limits';
import { unzipBoundedSync } from '../../data/zip';
import type { ModelState, WrnConfig } from '../types';
import { validateWrnConfig, wrnStateEntries } from '../wrnSpec';
import { PICKLE_ADVICE } from './safetensors';
import { assertFiniteWeights } from './validate';

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

const archText = (c: WrnConfig) => `WRN-${c.depth}-${c.widenFactor} with ${c.numClasses} classes`;

function parseJson<T>(bytes: Uint8Array, file: string): T {
  try {
    return JSON.parse(strFromU8(bytes)) as T;
  } catch {
    throw new Error(`not a valid model zip: '${file}' is not valid JSON`);
  }
}

/**
 * Read a zip written by `exportModelZip` (inflated under the data layer's size limits). Throws a readable error
 * for a zip `torch.save` wrote (data.pkl inside: convert it to safetensors), a missing file, a foreign format,
 * a manifest.json that disagrees with model.json (naming both), weights that do not match the architecture
 * (naming the first bad key and shapes), and weights holding NaN or ±Inf (naming the tensor).
 * @returns the manifest and the state (the caller owns its tensors).
 */
export function importModelZip(bytes: Uint8Array): { manifest: ModelManifest; state: ModelState } {
  let files: Map<string, Uint8Array>;
  try {
    files = unzipBoundedSync(bytes, 'model zip', DEFAULT_LIMITS);
  } catch (e) {
    throw new Error(`not a model zip: the file could not be unzipped (${(e as Error).message})`);
  }
  if ([...files.keys()].some((n) => /(^|\/)data\.pkl$/.test(n)))
    throw new Error(`This is a zip that torch.save wrote (it holds data.pkl). ${PICKLE_ADVICE}`);
  for (const name of ['manifest.json', 'model.json', 'weights.bin']) {
    if (!files.has(name)) throw new Error(`not an AOE Playground model zip: '${name}' is missing`);
  }
  const manifest = parseJson<ModelManifest>(files.get('manifest.json')!, 'manifest.json');
  const modelJson = parseJson<ModelJson>(files.get('model.json')!, 'model.json');
  if (manifest.format !== 'aoe-playground-model' || modelJson.format !== 'aoe-playground-wrn') {
    throw new Error(`unknown model format '${manifest.format}' / '${modelJson.format}'`);
  }
  const config = modelJson.modelTopology?.architecture;
  validateWrnConfig(config);
  const m = manifest.architecture;
  if (
    !m ||
    m.depth !== config.depth ||
    m.widenFactor !== config.widenFactor ||
    m.numClasses !== config.numClasses
  )
    throw new Error(
      `the zip contradicts itself: manifest.json says ${m ? archText(m) : 'no architecture'}, model.json says ` +
        `${archText(config)}. It was edited or assembled from two exports; export the model again.`,
    );
  if (Array.isArray(manifest.classes) && manifest.classes.length !== config.numClasses)
    throw new Error(
      `the zip contradicts itself: manifest.json lists ${manifest.classes.length} class names, model.json's ` +
        `architecture has ${config.numClasses} classes. Export the model again.`,
    );
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
  const w = files.get('weights.bin')!;
  const buffer = w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer;
  const need = specs.reduce((a, s) => a + 4 * s.shape.reduce((x, y) => x * y, 1), 0);
  if (specs.some((s) => (s.dtype ?? 'float32') !== 'float32') || buffer.byteLength !== need)
    throw new Error(
      `weights.bin holds ${buffer.byteLength} bytes; model.json describes ${need} bytes of float32`,
    );
  let offset = 0;
  const views: [string, Float32Array][] = specs.map((s) => {
    const n = s.shape.reduce((x, y) => x * y, 1);
    const v = new Float32Array(buffer, offset, n);
    offset += 4 * n;
    return [s.name, v];
  });
  assertFiniteWeights(views);
  const decoded = tf.io.decodeWeights(buffer, specs);
  const tensors = new Map<string, tf.Tensor>(expected.map((e) => [e.key, decoded[e.key]]));
  return { manifest, state: { tensors, numBatchesTracked: modelJson.modelTopology.numBatchesTracked } };
}

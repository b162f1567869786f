import { WideResNet } from '../models/wrn';
import { wrnConfig, WRN_PRESETS, type WrnPresetName } from '../models/wrnSpec';
import type { InputNormalization } from '../train/modelSession';
import type { ModelState } from '../models/types';
import { wrnFromState } from '../models/io';
import { sgdForConfig, type Sgd } from '../train/optim/sgd';
import type { ExperimentConfig } from '../train/config';
import { importSafetensors, importTfjsZip } from './weightsIo';

export { presetOf, type ModelInfo } from '../train/modelSession';

/** URLs tried for the bundled pretrained CIFAR-10 WRN-16-2 (public/models/wrn-16-2-cifar10/). */
export const PRETRAINED_DIR = 'models/wrn-16-2-cifar10/';
const PRETRAINED_FILES = ['model.safetensors', 'wrn-16-2-cifar10.safetensors', 'model.zip'];

/** A fresh WRN of a preset (He init, seeded) with a `numClasses`-way head. */
export function newWrn(preset: string, seed: number, dropRate: number, numClasses = 10): WideResNet {
  if (!(preset in WRN_PRESETS)) throw new Error(`Unknown model preset "${preset}".`);
  return new WideResNet(wrnConfig(preset as WrnPresetName, { dropRate, numClasses }), seed);
}

/** Build a model from a state, disposing the state's tensors. */
export const modelFromState = (config: WideResNet['config'], state: ModelState): WideResNet =>
  wrnFromState(config, state);

/** Weights loaded from a file, with the input normalisation its manifest declares (null: none declared). */
export interface LoadedWeights {
  model: WideResNet;
  normalization: InputNormalization | null;
}

/**
 * Load weights from file bytes (safetensors in PyTorch layout, or this app's tfjs zip, whose manifest also gives
 * the normalisation the weights expect).
 */
export function weightsFromFile(name: string, bytes: Uint8Array, dropRate: number): LoadedWeights {
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (isZip) {
    const { manifest, state } = importTfjsZip(bytes);
    return {
      model: modelFromState({ ...manifest.architecture, dropRate }, state),
      normalization: manifest.normalization,
    };
  }
  if (/\.(pt|pth|ckpt|pkl)$/i.test(name))
    throw new Error(
      `"${name}" is a pickle file; save it as safetensors first (safetensors.torch.save_file).`,
    );
  const { config, state } = importSafetensors(bytes, dropRate);
  return { model: modelFromState(config, state), normalization: null };
}

/** Try to fetch the bundled pretrained model; null when it is not (yet) in public/. */
export async function fetchPretrained(base: string, dropRate: number): Promise<LoadedWeights | null> {
  for (const f of PRETRAINED_FILES) {
    let r: Response;
    try {
      r = await fetch(`${base}${PRETRAINED_DIR}${f}`);
    } catch {
      continue;
    }
    if (!r.ok || (r.headers.get('content-type') ?? '').includes('text/html')) continue;
    return weightsFromFile(f, new Uint8Array(await r.arrayBuffer()), dropRate);
  }
  return null;
}

export function makeOptimizer(model: WideResNet, c: ExperimentConfig): Sgd {
  return sgdForConfig(model.trainableVariables(), c);
}

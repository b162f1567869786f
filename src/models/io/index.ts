import type { ModelState, WrnConfig } from '../types';
import { WideResNet } from '../wrn';
import { exportModelZip, importModelZip, type ModelManifest } from './modelZip';
import { exportPytorchSafetensors, importPytorchSafetensors } from './pytorchState';

export type { ModelManifest } from './modelZip';
import { PRETRAINED_WRN_NORM } from '../../data/augment';

/** The pretrained normalisation of pytorch-ood's CIFAR WideResNets (OOD_SPEC.md §4). */
export const PRETRAINED_NORMALIZATION: ModelManifest['normalization'] = {
  mean: [...PRETRAINED_WRN_NORM.mean] as ModelManifest['normalization']['mean'],
  std: [...PRETRAINED_WRN_NORM.std] as ModelManifest['normalization']['std'],
};

function disposeState(state: ModelState): void {
  for (const t of state.tensors.values()) t.dispose();
}

/** A WideResNet holding `state` (consumed: its tensors are disposed). */
export function wrnFromState(config: WrnConfig, state: ModelState): WideResNet {
  const model = new WideResNet(config, 0);
  try {
    model.setState(state);
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    disposeState(state);
  }
  return model;
}

/** Model → PyTorch-layout safetensors bytes (pytorch-ood key names; strict-loadable). */
export function modelToSafetensors(model: WideResNet, metadata: Record<string, string> = {}): Uint8Array {
  const state = model.getState();
  try {
    return exportPytorchSafetensors(state, model.config, metadata);
  } finally {
    disposeState(state);
  }
}

/**
 * PyTorch-layout safetensors bytes → a WideResNet. The architecture is inferred from the keys unless given;
 * @param dropRate dropout of the new model (not stored in a state_dict; pytorch-ood's default 0.3).
 */
export function modelFromSafetensors(
  bytes: Uint8Array,
  options: { config?: WrnConfig; dropRate?: number } = {},
) {
  const { config, state } = importPytorchSafetensors(bytes, options.config);
  return wrnFromState({ ...config, dropRate: options.dropRate ?? config.dropRate }, state);
}

/** Model → one zip (manifest.json + model.json + weights.bin). */
export async function modelToZip(model: WideResNet, manifest: Omit<ModelManifest, 'architecture'>) {
  const state = model.getState();
  try {
    return await exportModelZip(state, { ...manifest, architecture: model.config });
  } finally {
    disposeState(state);
  }
}

/** Zip → model and manifest. */
export function modelFromZip(bytes: Uint8Array): { model: WideResNet; manifest: ModelManifest } {
  const { manifest, state } = importModelZip(bytes);
  return { model: wrnFromState(manifest.architecture, state), manifest };
}

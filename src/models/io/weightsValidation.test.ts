import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { WideResNet } from '../wrn';
import { wrnConfig } from '../wrnSpec';
import { modelFromZip, modelToZip, PRETRAINED_NORMALIZATION } from './index';
import { importModelZip } from './modelZip';
import { importPytorchSafetensors } from './pytorchState';
import { parseSafetensors, serializeSafetensors } from './safetensors';
import { nonFiniteProblem } from './validate';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/wrn/${name}`, import.meta.url)));

/** The reference WRN-10-1 safetensors with `edit` applied to one tensor's values. */
function editedSafetensors(key: string, edit: (v: Float32Array) => void): Uint8Array {
  const file = parseSafetensors(fixture('wrn10_1.safetensors'));
  const t = file.tensors.get(key)!;
  const values = Float32Array.from(t.data as Float32Array);
  edit(values);
  file.tensors.set(key, { ...t, dtype: 'F32', data: values });
  return serializeSafetensors(file.tensors, file.metadata);
}

async function exportedZip(numClasses = 10): Promise<Uint8Array> {
  const model = new WideResNet(wrnConfig('WRN-10-1', { numClasses }), 1);
  try {
    return await modelToZip(model, {
      format: 'aoe-playground-model',
      version: 1,
      normalization: PRETRAINED_NORMALIZATION,
      classes: Array.from({ length: numClasses }, (_, i) => `c${i}`),
      training: null,
      seed: 1,
      metrics: {},
      createdAt: '2026-01-01T00:00:00Z',
    });
  } finally {
    model.dispose();
  }
}

/** Rewrites one JSON member of a model zip. */
function patchZip(
  zip: Uint8Array,
  member: string,
  edit: (json: Record<string, unknown>) => void,
): Uint8Array {
  const files = unzipSync(zip);
  const json = JSON.parse(strFromU8(files[member])) as Record<string, unknown>;
  edit(json);
  files[member] = strToU8(JSON.stringify(json));
  return zipSync(files);
}

describe('weights validation at import', () => {
  it('names the tensor holding NaN / Inf in a safetensors file, and loads nothing', () => {
    const n0 = tf.memory().numTensors;
    const nan = editedSafetensors('block1.layer.0.conv1.weight', (v) => {
      v[7] = NaN;
      v[9] = NaN;
      v[20] = Infinity;
    });
    expect(() => importPytorchSafetensors(nan)).toThrow(
      "tensor 'block1.layer.0.conv1.weight' holds 2 NaN and 1 ±Inf values (of 2304; first at flat index 7): the " +
        'weights are broken (a diverged run or a corrupt file) and were not loaded.',
    );
    const inf = editedSafetensors('fc.bias', (v) => (v[3] = -Infinity));
    expect(() => importPytorchSafetensors(inf)).toThrow(
      /^tensor 'fc\.bias' holds 1 ±Inf value \(of 10; first at flat index 3\)/,
    );
    expect(tf.memory().numTensors).toBe(n0);
    expect(nonFiniteProblem('x', Float32Array.of(1, 2, 3))).toBeNull();
  });

  it('names the tensor holding NaN in an exported tfjs zip', async () => {
    const zip = await exportedZip();
    const files = unzipSync(zip);
    const model = JSON.parse(strFromU8(files['model.json'])) as {
      weightsManifest: { weights: { name: string; shape: number[] }[] }[];
    };
    // poison the first value of the 3rd tensor in weights.bin
    const specs = model.weightsManifest[0].weights;
    const offset = specs.slice(0, 2).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
    const w = new Float32Array(files['weights.bin'].slice().buffer);
    w[offset] = NaN;
    files['weights.bin'] = new Uint8Array(w.buffer);
    expect(() => importModelZip(zipSync(files))).toThrow(
      new RegExp(
        `^tensor '${specs[2].name.replace(/\./g, '\\.')}' holds 1 NaN value \\(of \\d+; first at flat index 0\\)`,
      ),
    );
  });

  it('a current torch.save zip (archive/data.pkl) gets the convert-to-safetensors advice, like a pickle', () => {
    const torchZip = zipSync({
      'archive/data.pkl': Uint8Array.of(0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e),
      'archive/data/0': new Uint8Array(64),
      'archive/version': strToU8('3\n'),
    });
    expect(() => importModelZip(torchZip)).toThrow(
      /^This is a zip that torch\.save wrote \(it holds data\.pkl\)\. This looks like a PyTorch \.pt\/\.pth checkpoint \(pickle\), which the app never opens[\s\S]*save_file\(\{k: v\.contiguous\(\) for k, v in sd\.items\(\)\}, 'model\.safetensors'\)$/,
    );
  });

  it('a manifest.json that disagrees with model.json is refused, naming both', async () => {
    const zip = await exportedZip();
    const deeper = patchZip(zip, 'manifest.json', (m) => {
      (m.architecture as { depth: number }).depth = 40;
    });
    expect(() => importModelZip(deeper)).toThrow(
      'the zip contradicts itself: manifest.json says WRN-40-1 with 10 classes, model.json says WRN-10-1 with ' +
        '10 classes. It was edited or assembled from two exports; export the model again.',
    );
    const names = patchZip(zip, 'manifest.json', (m) => {
      m.classes = ['only', 'three', 'names'];
    });
    expect(() => importModelZip(names)).toThrow(
      "the zip contradicts itself: manifest.json lists 3 class names, model.json's architecture has 10 classes.",
    );
  });

  it('a 100-class export round-trips (its manifest lists 100 names)', async () => {
    const { model, manifest } = modelFromZip(await exportedZip(100));
    expect(model.config.numClasses).toBe(100);
    expect(manifest.classes.length).toBe(100);
    model.dispose();
  });
});

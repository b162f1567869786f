import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random';
import { WideResNet } from '../wrn';
import { wrnConfig } from '../wrnSpec';
import {
  modelFromSafetensors,
  modelFromZip,
  modelToSafetensors,
  modelToZip,
  PRETRAINED_NORMALIZATION,
} from './index';
import { importPytorchSafetensors } from './pytorchState';
import { parseSafetensors, serializeSafetensors, type SafetensorsTensor } from './safetensors';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/wrn/${name}`, import.meta.url)));

function logitsOf(model: WideResNet, x: tf.Tensor4D): Float32Array {
  const out = model.forward(x, { training: false });
  const v = out.logits.dataSync().slice() as Float32Array;
  tf.dispose([out.logits, out.features]);
  return v;
}

describe('safetensors container', () => {
  it('round-trips F32/F64/I64 tensors and metadata, with an 8-byte aligned header', () => {
    const tensors: [string, SafetensorsTensor][] = [
      ['a', { dtype: 'F32', shape: [2, 3], data: Float32Array.of(1, -2, 3.5, 4, 5, 6) }],
      ['b', { dtype: 'F64', shape: [2], data: Float64Array.of(0.1, 1e-300) }],
      ['c', { dtype: 'I64', shape: [], data: BigInt64Array.of(42n) }],
    ];
    const bytes = serializeSafetensors(tensors, { note: 'x' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    // Data follow the header back to back: 24 + 16 + 8 bytes.
    expect(bytes.length).toBe(8 + headerLength + 48);
    const parsed = parseSafetensors(bytes);
    expect([...parsed.tensors.keys()]).toEqual(['a', 'b', 'c']);
    expect(Array.from(parsed.tensors.get('a')!.data as Float32Array)).toEqual([1, -2, 3.5, 4, 5, 6]);
    expect(parsed.tensors.get('a')!.shape).toEqual([2, 3]);
    expect(Array.from(parsed.tensors.get('b')!.data as Float64Array)).toEqual([0.1, 1e-300]);
    expect((parsed.tensors.get('c')!.data as BigInt64Array)[0]).toBe(42n);
    expect(parsed.metadata).toEqual({ note: 'x' });
  });

  it('refuses pickle checkpoints with conversion instructions, and broken files with a reason', () => {
    const torchZip = Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0, 0);
    expect(() => parseSafetensors(torchZip)).toThrow(/save_file/);
    expect(() => parseSafetensors(Uint8Array.of(0x80, 0x02, 0x7d, 0x71, 0, 0, 0, 0, 0))).toThrow(/pickle/);
    expect(() => parseSafetensors(Uint8Array.of(1, 2, 3))).toThrow(/shorter/);
    const good = serializeSafetensors([['a', { dtype: 'F32', shape: [4], data: new Float32Array(4) }]]);
    expect(() => parseSafetensors(good.slice(0, good.length - 4))).toThrow(/inconsistent data offsets/);
  });

  it('reads the file written by the Python reference (PyTorch order, int64 counters)', () => {
    const file = parseSafetensors(fixture('wrn10_1.safetensors'));
    const keys = [...file.tensors.keys()];
    expect(keys.length).toBe(46);
    expect(keys[0]).toBe('conv1.weight');
    expect(keys.slice(-2)).toEqual(['fc.weight', 'fc.bias']);
    expect(file.tensors.get('conv1.weight')!.shape).toEqual([16, 3, 3, 3]);
    expect(file.tensors.get('bn1.num_batches_tracked')!.dtype).toBe('I64');
  });
});

describe('PyTorch-layout import/export', () => {
  it('re-exports the Python file tensor for tensor, in the same key order', () => {
    const bytes = fixture('wrn10_1.safetensors');
    const original = parseSafetensors(bytes);
    const model = modelFromSafetensors(bytes, { dropRate: 0 });
    const again = parseSafetensors(modelToSafetensors(model));
    expect([...again.tensors.keys()]).toEqual([...original.tensors.keys()]);
    for (const [k, t] of original.tensors) {
      const u = again.tensors.get(k)!;
      expect(u.shape, k).toEqual(t.shape);
      expect(u.dtype, k).toBe(t.dtype);
      expect(Array.from(u.data as ArrayLike<number | bigint>), k).toEqual(
        Array.from(t.data as ArrayLike<number | bigint>),
      );
    }
    model.dispose();
  });

  it('gives identical logits after export → import, and strips a module. prefix', () => {
    const model = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0 }), 21);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const want = logitsOf(model, x);
    const file = parseSafetensors(modelToSafetensors(model));
    const prefixed = serializeSafetensors([...file.tensors].map(([k, t]) => [`module.${k}`, t]));
    const before = tf.memory().numTensors;
    const back = modelFromSafetensors(prefixed);
    expect(back.config.depth).toBe(10);
    expect(back.config.widenFactor).toBe(1);
    expect(logitsOf(back, x)).toEqual(want);
    back.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('rejects a mismatching file naming the first bad key and both shapes', () => {
    const wrn162 = fixture('wrn16_2.safetensors');
    const cfg101 = wrnConfig('WRN-10-1');
    expect(() => importPytorchSafetensors(wrn162, cfg101)).toThrow(
      "key 'block1.layer.0.conv1.weight' has shape [32, 16, 3, 3] in the file, but WRN-10-1 (10 classes) expects [16, 16, 3, 3]",
    );
    const before = tf.memory().numTensors;
    expect(() => importPytorchSafetensors(wrn162, cfg101)).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    const file = parseSafetensors(fixture('wrn10_1.safetensors'));
    const missing = [...file.tensors].filter(([k]) => k !== 'block2.layer.0.conv2.weight');
    expect(() => importPytorchSafetensors(serializeSafetensors(missing), cfg101)).toThrow(
      "key 'block2.layer.0.conv2.weight' [32, 32, 3, 3] expected by WRN-10-1 (10 classes) is missing",
    );
    const extra = [
      ...file.tensors,
      ['head.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) }],
    ] as [string, SafetensorsTensor][];
    expect(() => importPytorchSafetensors(serializeSafetensors(extra), cfg101)).toThrow(
      /unexpected key 'head.weight'/,
    );
  });
});

describe('tfjs artifacts zip', () => {
  it('round-trips weights, running stats and manifest with identical logits', async () => {
    const model = new WideResNet(wrnConfig('WRN-10-1', { numClasses: 3, dropRate: 0.1 }), 5);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    // Commit one training step's stats so running stats are not the defaults.
    const out = model.forward(x, { training: true, rng: new Random(1) });
    tf.dispose([out.logits, out.features]);
    model.applyBatchNormStats(out.batchStats!);
    const want = logitsOf(model, x);
    const zip = await modelToZip(model, {
      format: 'aoe-playground-model',
      version: 1,
      normalization: PRETRAINED_NORMALIZATION,
      classes: ['a', 'b', 'c'],
      training: { method: 'AOE', epsilon: 0.5 },
      seed: 7,
      metrics: { accuracy: 0.5 },
      createdAt: '2026-01-01T00:00:00Z',
    });
    const before = tf.memory().numTensors;
    const { model: back, manifest } = modelFromZip(zip);
    expect(manifest.classes).toEqual(['a', 'b', 'c']);
    expect(manifest.training).toEqual({ method: 'AOE', epsilon: 0.5 });
    expect(back.config).toEqual(model.config);
    expect(logitsOf(back, x)).toEqual(want);
    const s = back.getState();
    expect(s.numBatchesTracked).toBe(1);
    for (const t of s.tensors.values()) t.dispose();
    back.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => modelFromZip(Uint8Array.of(1, 2, 3))).toThrow(/could not be unzipped/);
    x.dispose();
    model.dispose();
  });
});

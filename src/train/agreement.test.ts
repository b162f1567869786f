import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { cifar100Archive } from '../../tests/helpers/cifar100';
import { nodeImageDecoder } from '../../tests/helpers/nodeImageDecoder';
import { loadFiles, type LoadedSet } from '../data/loadFiles';
import { chunksOf } from '../data/targz';
import { nameOodSetsUniquely } from '../data/uniqueNames';
import { WideResNet } from '../models/wrn';
import { wrnConfig } from '../models/wrnSpec';
import { assertClassesAgree, classMismatch } from './agreement';
import { MemoryCheckpointStore } from './checkpoint';
import { DEFAULT_CONFIG } from './config';
import { aurocInterval, evaluate } from './evaluate';
import { Trainer } from './loop';
import { Sgd } from './optim/sgd';
import { TinyNet } from './tinyNet';
import { noiseSet, WRN_NORMALIZATION } from './trainingSets';
import type { ImageSet, TrainingData } from './types';

async function loadCifar100(trainCount: number, testCount: number): Promise<TrainingData> {
  const bytes = cifar100Archive(trainCount, testCount);
  const input = {
    name: 'cifar-100-binary.tar.gz',
    size: bytes.length,
    bytes: async () => bytes,
    stream: () => chunksOf(bytes),
  };
  const r = await loadFiles([input], 'id', { decode: nodeImageDecoder, origin: 'test' });
  const [train, test] = r.sets.map((s) => s.set);
  expect([train.name, test.name, train.classNames?.length]).toEqual([
    'CIFAR-100 train',
    'CIFAR-100 test',
    100,
  ]);
  return {
    train,
    test,
    outliers: null,
    oodTests: { 'Gaussian noise': noiseSet('gaussian', 8, 1) },
    normalization: WRN_NORMALIZATION,
    numClasses: train.classNames!.length,
  };
}

const FIX =
  'Import a model trained on CIFAR-100 (a 100-class head), or create a new model — its head takes the class ' +
  'count of the loaded data — and pre-train it with the “CE pre-training” preset.';

describe('data and model must agree on the number of classes', () => {
  it('the refusal names both counts and offers the fix', async () => {
    const d = await loadCifar100(20, 10);
    expect(classMismatch(10, [d.train], 'train')).toBe(
      `Cannot train: the model has a 10-class head but the ID data (CIFAR-100) has 100 classes. ${FIX}`,
    );
    expect(classMismatch(100, [d.train, d.test], 'train')).toBeNull();
    // labels past the head are caught even when class names are missing
    const bare: ImageSet = { ...d.train, classNames: undefined, name: 'custom' };
    expect(classMismatch(10, [bare], 'evaluate')).toMatch(
      /^Cannot evaluate: the model has a 10-class head but the ID data \(custom\) has \d\d classes/,
    );
  });

  it('evaluation refuses a 10-class WRN on CIFAR-100 before computing anything', async () => {
    const d = await loadCifar100(20, 10);
    const model = new WideResNet(wrnConfig('WRN-10-1', { numClasses: 10 }), 1);
    const forward = vi.spyOn(model, 'forward');
    await expect(evaluate(model, d)).rejects.toThrow(
      `Cannot evaluate: the model has a 10-class head but the ID data (CIFAR-100) has 100 classes. ${FIX}`,
    );
    expect(forward).not.toHaveBeenCalled();
    model.dispose();
  });

  it('a CIFAR-100 fine-tune with a 100-class head runs end to end: CE starts near ln 100, evaluates', async () => {
    const d = await loadCifar100(32, 16);
    // The worker builds the WRN with the data's class count (newWrn(…, numClasses)); its head is 100 wide.
    const wrn = new WideResNet(wrnConfig('WRN-10-1', { numClasses: d.numClasses }), 1);
    expect(() => assertClassesAgree(wrn.config.numClasses, [d.train, d.test], 'train')).not.toThrow();
    wrn.dispose();
    // Training itself on a small net with a 100-way head (a WRN step takes minutes on this shared CPU).
    const model = new TinyNet(3, 3, 8, 100);
    const config = {
      ...DEFAULT_CONFIG,
      model: 'tiny',
      method: 'CE' as const,
      epochs: 3,
      subsetSize: 0,
      idBatchSize: 8,
      outlierBatchSize: 8,
      lr: 0.05,
      augment: false,
      dropRate: 0,
    };
    const optimizer = new Sgd(model.trainableVariables(), {
      lr: config.lr,
      momentum: 0.9,
      weightDecay: 0,
      nesterov: true,
    });
    const losses: number[] = [];
    const n0 = tf.memory().numTensors;
    const trainer = new Trainer(model, d, config, {
      runId: 'c100',
      store: new MemoryCheckpointStore(),
      optimizer,
      onProgress: (_p, point) => point && losses.push(point.loss),
    });
    const final = await trainer.run();
    expect(final.status, final.error).toBe('completed');
    expect(losses.length).toBe(12);
    // A 100-way head at init gives CE ≈ ln 100 = 4.61; a 10-way head on labels ≥ 10 would give ~0 here.
    expect(losses[0]).toBeGreaterThan(Math.log(100) - 1);
    expect(losses[0]).toBeLessThan(Math.log(100) + 1.5);
    const r = await evaluate(model, d);
    expect(r.testCount).toBe(16);
    expect(r.reliability['Gaussian noise'].count).toBe(8);
    expect(r.reliability['Gaussian noise'].caution).toBe(
      'only 8 OOD images: its AUROC can swing by chance (fewer than 100)',
    );
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    model.dispose();
  });
});

describe('OOD sets with the same name', () => {
  const set = (key: string, name: string): LoadedSet => ({
    key,
    role: 'ood',
    set: { name, images: new Uint8Array(3072), n: 1, height: 32, width: 32, channels: 3, labels: null },
  });

  it('the data script\'s "Textures" and an uploaded textures zip get unique names, with a message', () => {
    const existing = [set('ood:textures10-32.bin', 'Textures'), set('ood:gaussian', 'Gaussian noise')];
    const upload = [set('ood:textures.zip', 'Textures'), set('ood:textures-b.zip', 'Textures')];
    const messages = nameOodSetsUniquely(upload, existing);
    expect(upload.map((u) => u.set.name)).toEqual(['Textures (2)', 'Textures (3)']);
    expect(messages.map((m) => `${m.file}: ${m.text}`)).toEqual([
      'textures.zip: named "Textures (2)": an OOD set named "Textures" is already loaded, and evaluation reports sets by name.',
      'textures-b.zip: named "Textures (3)": an OOD set named "Textures" is already loaded, and evaluation reports sets by name.',
    ]);
    // Replacing a set under the same key keeps its name.
    const again = [set('ood:textures10-32.bin', 'Textures')];
    expect(nameOodSetsUniquely(again, existing)).toEqual([]);
    expect(again[0].set.name).toBe('Textures');
  });
});

describe('AUROC reliability', () => {
  it('Hanley–McNeil interval: matches a hand computation, narrows with more images', () => {
    // A = 0.8, 50 OOD, 100 ID: Q1 = 0.8/1.2, Q2 = 1.28/1.8
    const a = 0.8;
    const q1 = a / (2 - a);
    const q2 = (2 * a * a) / (1 + a);
    const se = Math.sqrt((a * (1 - a) + 49 * (q1 - a * a) + 99 * (q2 - a * a)) / 5000);
    const [lo, hi] = aurocInterval(0.8, 50, 100);
    expect(lo).toBeCloseTo(0.8 - 1.96 * se, 12);
    expect(hi).toBeCloseTo(0.8 + 1.96 * se, 12);
    const [lo2, hi2] = aurocInterval(0.8, 5000, 10000);
    expect(hi2 - lo2).toBeLessThan((hi - lo) / 5);
  });
});

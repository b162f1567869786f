import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-wasm';
import { test } from 'vitest';
import { parseCifarBinary } from '../src/data/cifar';
import { registerWasmTrainingKernels } from '../src/models/wasmKernels';
import { WideResNet } from '../src/models/wrn';
import { wrnConfig, type WrnPresetName } from '../src/models/wrnSpec';
import { MemoryCheckpointStore } from '../src/train/checkpoint';
import { DEFAULT_CONFIG, PRETRAIN_CONFIG, type ExperimentConfig } from '../src/train/config';
import { evaluate } from '../src/train/evaluate';
import { Trainer } from '../src/train/loop';
import { Sgd } from '../src/train/optim/sgd';
import { noiseSet, ppcaOutliers, WRN_NORMALIZATION } from '../src/train/trainingSets';
import type { TrainingData } from '../src/train/types';

/**
 * A short real run on the committed CIFAR-10 fixture (1,000 train / 1,000 test images), Node WASM:
 * CE pre-training of a small WRN from scratch, then AOE fine-tuning; accuracy and OOD metrics before/after.
 * `npm run train:short` (env SHORT_MODEL, SHORT_CE_EPOCHS, SHORT_AOE_EPOCHS). Writes bench/results/short-run.json.
 */
test('short run', async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
  const preset = (process.env.SHORT_MODEL ?? 'WRN-10-1') as WrnPresetName;
  const train = parseCifarBinary(
    readFileSync('tests/fixtures/cifar10/train_first1000.bin'),
    'cifar10',
    'train',
  );
  const testSet = parseCifarBinary(
    readFileSync('tests/fixtures/cifar10/test_first1000.bin'),
    'cifar10',
    'test',
  );
  const data: TrainingData = {
    train,
    test: testSet,
    outliers: ppcaOutliers(train, 1000, 2, 1),
    oodTests: {
      'Gaussian noise': noiseSet('gaussian', 500, 11),
      'Uniform noise': noiseSet('uniform', 500, 12),
    },
    normalization: WRN_NORMALIZATION,
    numClasses: 10,
  };
  const model = new WideResNet(wrnConfig(preset, { dropRate: 0 }), 1);
  const run = async (c: ExperimentConfig, id: string) => {
    const t0 = performance.now();
    const opt = new Sgd(model.trainableVariables(), {
      lr: c.lr,
      momentum: c.momentum,
      weightDecay: c.weightDecay,
      nesterov: true,
    });
    const trainer = new Trainer(model, data, c, {
      runId: id,
      store: new MemoryCheckpointStore(),
      optimizer: opt,
      onProgress: (p, pt) => {
        if (pt && p.stepInEpoch === p.stepsPerEpoch)
          console.log(
            `${id} epoch ${p.epoch + 1}/${p.epochs} loss ${pt.loss.toFixed(3)} acc ${(pt.accuracy * 100).toFixed(1)}% ${p.imagesPerSecond.toFixed(1)} img/s`,
          );
      },
    });
    const final = await trainer.run();
    opt.dispose();
    if (final.status !== 'completed') throw new Error(final.error);
    return (performance.now() - t0) / 1000;
  };
  const ceEpochs = Number(process.env.SHORT_CE_EPOCHS ?? 6);
  const aoeEpochs = Number(process.env.SHORT_AOE_EPOCHS ?? 2);
  const ce: ExperimentConfig = {
    ...PRETRAIN_CONFIG,
    model: preset,
    dropRate: 0,
    subsetSize: 1000,
    idBatchSize: 32,
    epochs: ceEpochs,
    lr: 0.05,
    warmupSteps: 20,
  };
  const aoe: ExperimentConfig = {
    ...DEFAULT_CONFIG,
    model: preset,
    dropRate: 0,
    subsetSize: 1000,
    idBatchSize: 32,
    outlierBatchSize: 32,
    epochs: aoeEpochs,
  };
  const ceSeconds = await run(ce, 'CE');
  const before = await evaluate(model, data);
  const aoeSeconds = await run(aoe, 'AOE');
  const after = await evaluate(model, data);
  const summary = {
    backend: 'tfjs wasm (Node, 1 thread), 2 shared cores',
    model: preset,
    data: 'CIFAR-10 fixture: first 1,000 train / 1,000 test images; 1,000 PPCA outliers (σ²=2)',
    ce: { ...ce, seconds: ceSeconds },
    aoe: { ...aoe, seconds: aoeSeconds },
    before,
    after,
  };
  console.log(
    JSON.stringify(
      {
        ceSeconds,
        aoeSeconds,
        accBefore: before.accuracy,
        accAfter: after.accuracy,
        aurocBefore: before.metrics,
        aurocAfter: after.metrics,
      },
      null,
      1,
    ),
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/short-run.json', JSON.stringify(summary, null, 2));
  model.dispose();
});

// The hand-written WRN backward pass must equal tfjs autodiff through WideResNet.forward (CPU backend).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outlierExposureLoss } from '../core/losses';
import { Random } from '../core/random';
import { registerBnReluKernels } from './bnReluFused';
import { useFastCpuConvFilterGradient } from './wasmKernels';
import { WideResNet } from './wrn';
import { wrnLossAndGradients } from './wrnBackprop';
import { wrnConfig } from './wrnSpec';
import { relToMax } from '../../tests/helpers/relativeError';

const labels = () => tf.tensor1d([1, 7, 3], 'int32');
const loss = (y: tf.Tensor1D) => (logits: tf.Tensor2D) => {
  const [a, b] = tf.split(logits, [3, 2]);
  return outlierExposureLoss(a as tf.Tensor2D, y, b as tf.Tensor2D, 0.5, 'separate');
};

// Both sides use the forward-conv filter gradient (checked equal to tfjs-cpu's stock loop in
// wasmKernels.test.ts): the stock one makes this test take minutes on a loaded 2-core machine.
let restore = () => {};
beforeAll(() => {
  restore = useFastCpuConvFilterGradient();
  registerBnReluKernels('cpu');
});
afterAll(() => restore());

describe('hand-written WRN backprop', () => {
  it.each([
    [0, false],
    [0.3, false],
    [0, true],
    [0.3, true],
  ])(
    'gives autodiff’s loss, logits, BN stats, weight and input gradients (WRN-10-1, dropout %s, fused BN+ReLU %s)',
    async (dropRate, fusedBnRelu) => {
      const model = new WideResNet(wrnConfig('WRN-10-1', { dropRate }), 3);
      const x = tf.tensor4d(new Random(4).uniformArray(5 * 32 * 32 * 3, -1, 1), [5, 32, 32, 3]);
      const y = labels();
      const before = tf.memory().numTensors;
      const vars = model.trainableVariables();
      // Reference: autodiff through the model's own forward, same rng seed → same dropout masks.
      let refStats: { name: string; mean: tf.Tensor1D; variance: tf.Tensor1D }[] = [];
      const ref = tf.variableGrads(() => {
        const out = model.forward(x, { training: true, rng: new Random(9) });
        refStats = [...out.batchStats!.entries];
        return loss(y)(out.logits);
      }, vars);
      const refX = tf.grad((input: tf.Tensor) =>
        loss(y)(
          model.forward(input as tf.Tensor4D, { training: true, rng: new Random(9), collectStats: false })
            .logits,
        ),
      )(x);
      const got = await wrnLossAndGradients(model, x, loss(y), {
        inputGrad: true,
        weightGrads: true,
        collectStats: true,
        rng: new Random(9),
        fusedBnRelu,
      });
      expect(Math.abs(got.loss.dataSync()[0] - ref.value.dataSync()[0])).toBeLessThan(1e-5);
      let worst = 0;
      for (const v of vars) {
        const e = relToMax(got.grads![v.name].dataSync(), ref.grads[v.name].dataSync());
        expect(e, v.name).toBeLessThan(1e-4);
        worst = Math.max(worst, e);
      }
      expect(Object.keys(got.grads!).length).toBe(vars.length);
      expect(relToMax(got.inputGrad!.dataSync(), refX.dataSync())).toBeLessThan(1e-4);
      expect(got.stats!.entries.map((e) => e.name)).toEqual(refStats.map((e) => e.name));
      for (let i = 0; i < refStats.length; i++) {
        expect(relToMax(got.stats!.entries[i].mean.dataSync(), refStats[i].mean.dataSync())).toBeLessThan(
          1e-5,
        );
        expect(
          relToMax(got.stats!.entries[i].variance.dataSync(), refStats[i].variance.dataSync()),
        ).toBeLessThan(1e-5);
      }
      console.log(
        `WRN-10-1 dropout ${dropRate}, fused ${fusedBnRelu}: manual vs autodiff worst rel. error ${worst.toExponential(2)}`,
      );
      tf.dispose([got.loss, got.logits, got.inputGrad!, ...Object.values(got.grads!), ref.value, refX]);
      tf.dispose(Object.values(ref.grads));
      for (const e of [...got.stats!.entries, ...refStats]) tf.dispose([e.mean, e.variance]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y]);
      model.dispose();
    },
    600_000,
  );

  it('frees everything when aborted between layers, and computes only what is asked', async () => {
    const model = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0 }), 3);
    const x = tf.tensor4d(new Random(4).uniformArray(5 * 32 * 32 * 3, -1, 1), [5, 32, 32, 3]);
    const y = labels();
    const before = tf.memory().numTensors;
    for (const stopAt of [1, 3, 5, 7]) {
      let calls = 0;
      const between = async () => {
        if (++calls === stopAt) throw new Error('stop');
      };
      await expect(
        wrnLossAndGradients(model, x, loss(y), {
          inputGrad: true,
          weightGrads: true,
          collectStats: true,
          between,
        }),
      ).rejects.toThrow('stop');
      expect(tf.memory().numTensors, `stopped at call ${stopAt}`).toBe(before);
    }
    const onlyInput = await wrnLossAndGradients(model, x, loss(y), {
      inputGrad: true,
      weightGrads: false,
      collectStats: false,
    });
    expect(onlyInput.grads).toBeUndefined();
    expect(onlyInput.stats).toBeUndefined();
    expect(onlyInput.inputGrad!.shape).toEqual([5, 32, 32, 3]);
    tf.dispose([onlyInput.loss, onlyInput.logits, onlyInput.inputGrad!]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});

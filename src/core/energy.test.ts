import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { energy } from './energy';

/** Plain float64 reference: −T·log Σ exp(f/T), with the max subtracted. */
function energyReference(row: number[], t: number): number {
  const m = Math.max(...row.map((v) => v / t));
  return -t * (m + Math.log(row.reduce((s, v) => s + Math.exp(v / t - m), 0)));
}

describe('energy', () => {
  it('matches a float64 logsumexp, including very large logits, and leaks nothing', () => {
    const rows = [
      [1, 2, 3],
      [0, 0, 0],
      [1000, -1000, 999],
      [-50, -51, -49.5],
    ];
    for (const t of [1, 2.5]) {
      const before = tf.memory().numTensors;
      const logits = tf.tensor2d(rows);
      const e = energy(logits, t);
      const got = Array.from(e.dataSync());
      logits.dispose();
      e.dispose();
      expect(tf.memory().numTensors).toBe(before);
      rows.forEach((r, i) => expect(got[i]).toBeCloseTo(energyReference(r, t), 3));
    }
  });
});

describe('energy against the PyTorch fixture', () => {
  it('matches torch float64 energies of the fixture net at T = 1 and T = 2 to fp32 tolerance', async () => {
    const { fixture, makeFixtureNet, toTensor, expectAllClose, leakedBy } =
      await import('./__fixtures__/torchFixture');
    const net = makeFixtureNet();
    const logits = tf.tidy(() =>
      tf.concat([net.model(toTensor(fixture.x_id_nhwc)), net.model(toTensor(fixture.x_ood_nhwc))]),
    );
    for (const t of fixture.params.temperatures) {
      const e = energy(logits as tf.Tensor2D, t);
      expectAllClose(e.dataSync(), fixture.float64[`energy_T${t}`].data, 1e-5);
      e.dispose();
      expect(leakedBy(() => energy(logits as tf.Tensor2D, t))).toBe(0);
    }
    logits.dispose();
    net.dispose();
  });
});

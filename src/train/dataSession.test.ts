// The data worker's session object in Node: a new job aborts the previous one, a new ID training set drops the
// generator fitted to the old one, and the training data view is rebuilt only when a set changes identity.
import { describe, expect, it } from 'vitest';
import type { ImageSet } from '../data/imageSet';
import type { PpcaGenerator } from '../data/outliers/ppca';
import { DataSession } from './dataSession';

const set = (name: string, labels = true): ImageSet =>
  ({
    name,
    n: 2,
    height: 1,
    width: 1,
    channels: 3,
    images: new Uint8Array(6),
    labels: labels ? new Int32Array([0, 1]) : undefined,
  }) as unknown as ImageSet;

describe('DataSession', () => {
  it('one job at a time: starting a job aborts the previous one; cancel aborts the current', () => {
    const s = new DataSession();
    const a = s.startJob();
    const b = s.startJob();
    expect([a.aborted, b.aborted]).toEqual([true, false]);
    s.cancelJob();
    expect(b.aborted).toBe(true);
  });

  it('builds training data from the loaded sets, cached by identity; a new train split drops the generator', () => {
    const s = new DataSession();
    expect(s.trainingData()).toBeNull();
    s.put({ key: 'id:train', role: 'id', split: 'train', set: set('CIFAR-10 train'), cached: false });
    s.put({ key: 'id:test', role: 'id', split: 'test', set: set('CIFAR-10 test'), cached: false });
    s.put({ key: 'ood:a', role: 'ood', set: set('SVHN', false), cached: false });
    s.put({ key: 'ood:b', role: 'ood', set: set('SVHN', false), cached: false });
    const d = s.trainingData()!;
    expect(Object.keys(d.oodTests)).toHaveLength(2); // same name twice: made unique
    expect(s.trainingData()).toBe(d);
    s.generator = {} as PpcaGenerator;
    s.put({ key: 'outliers', role: 'outliers', set: set('PPCA', false), cached: false });
    expect(s.generator).not.toBeNull();
    const withOutliers = s.trainingData()!;
    expect(withOutliers).not.toBe(d);
    expect(withOutliers.outliers!.name).toBe('PPCA');
    s.put({ key: 'id:train', role: 'id', split: 'train', set: set('other train'), cached: false });
    expect(s.generator).toBeNull();
    s.remove('id:test');
    expect(s.trainingData()).toBeNull();
  });
});

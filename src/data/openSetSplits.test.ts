import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/helpers/fixtures';
import { CIFAR10_CLASSES, parseCifarBinary } from './cifar';
import { OOD_CATALOG, oodCatalogEntry, oodGroupOf, SERVED_OOD_SETS } from './oodCatalog';
import {
  CIFAR10_OPEN_SET_KNOWN,
  cifar10OpenSet,
  cifar10OpenSetSplit,
  filterByClasses,
} from './openSetSplits';

// 1,000 real CIFAR-10 test records (tests/fixtures/cifar10/README.md)
const test = parseCifarBinary(readFixture('cifar10/test_first1000.bin'), 'cifar10', 'test_first1000.bin');
test.classNames = [...CIFAR10_CLASSES];

describe('CIFAR-10 open-set splits', () => {
  it('are the five standard splits of 6 known classes (osr_splits cifar-10-10)', () => {
    // known classes as listed in Vaze et al.'s osr_splits.py, written out here as sets
    expect(CIFAR10_OPEN_SET_KNOWN.map((k) => [...k].sort((a, b) => a - b))).toEqual([
      [0, 1, 4, 6, 7, 9],
      [0, 1, 4, 6, 7, 9].map((c) => c), // split 2 holds the same classes in another order
      [1, 3, 4, 5, 7, 9],
      [0, 1, 6, 7, 8, 9],
      [1, 2, 4, 6, 7, 9],
    ]);
    for (let i = 1; i <= 5; i++) {
      const s = cifar10OpenSetSplit(i);
      expect(s.known).toHaveLength(6);
      expect(s.unknown).toHaveLength(4);
      expect([...s.known, ...s.unknown].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(cifar10OpenSetSplit(1).unknownNames).toEqual(['bird', 'cat', 'dog', 'ship']);
    expect(() => cifar10OpenSetSplit(0)).toThrow(/numbered 1 to 5/);
    expect(() => cifar10OpenSetSplit(6)).toThrow(/numbered 1 to 5/);
  });

  it('filter and relabel: each image kept once, in order, with label = index among the known classes', () => {
    const data = cifar10OpenSet(test, test, 3);
    const { known, unknown } = data.split;
    // independent recomputation over the raw labels
    const keptIdx = [...test.labels!.keys()].filter((i) => known.includes(test.labels![i]));
    const unkIdx = [...test.labels!.keys()].filter((i) => unknown.includes(test.labels![i]));
    expect(data.knownTest.n).toBe(keptIdx.length);
    expect(data.unknownTest.n).toBe(unkIdx.length);
    expect(data.knownTest.n + data.unknownTest.n).toBe(1000);
    let wrong = 0;
    keptIdx.forEach((src, dst) => {
      if (data.knownTest.labels![dst] !== known.indexOf(test.labels![src])) wrong++;
      for (let b = 0; b < 3072; b++)
        if (data.knownTest.images[dst * 3072 + b] !== test.images[src * 3072 + b]) wrong++;
    });
    unkIdx.forEach((src, dst) => {
      if (data.unknownTest.labels![dst] !== test.labels![src]) wrong++; // original labels kept
      for (let b = 0; b < 3072; b++)
        if (data.unknownTest.images[dst * 3072 + b] !== test.images[src * 3072 + b]) wrong++;
    });
    expect(wrong).toBe(0);
    expect(data.knownTest.classNames).toEqual(known.map((c) => CIFAR10_CLASSES[c]));
    expect(Math.max(...data.train.labels!)).toBe(5);
    expect(data.unknownTest.name).toMatch(/^CIFAR-10 unknown classes/);
    expect(oodGroupOf(data.unknownTest.name)).toBe('near');
  });

  it('filterByClasses refuses an unlabelled set', () => {
    expect(() => filterByClasses({ ...test, labels: null }, [0])).toThrow(/has no labels/);
  });
});

describe('OOD catalog', () => {
  it('gives every set one group, unique ids and names, and finds sets by id or app name', () => {
    const ids = OOD_CATALOG.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(OOD_CATALOG.map((e) => e.name)).size).toBe(ids.length);
    for (const e of OOD_CATALOG) {
      expect(['near', 'far']).toContain(e.group);
      expect(oodCatalogEntry(e.id)).toBe(e);
      expect(oodCatalogEntry(e.name)).toBe(e);
    }
    expect(oodGroupOf('MNIST')).toBe('far');
    expect(oodGroupOf('Fashion-MNIST')).toBe('far');
    expect(oodGroupOf('fashion-mnist')).toBe('far');
    expect(oodGroupOf('Gaussian noise')).toBe('far');
    expect(oodGroupOf('CIFAR-10 unknown classes (open-set split 2)')).toBe('near');
    expect(oodGroupOf('my holiday photos')).toBeNull();
    expect(oodGroupOf('')).toBeNull();
  });

  it('serves MNIST, Fashion-MNIST and Textures from public/data, as npm run data names them', () => {
    expect(SERVED_OOD_SETS.map((e) => [e.id, e.servedPath])).toEqual([
      ['mnist', 'ood/mnist-32.bin'],
      ['fashion-mnist', 'ood/fashion-mnist-32.bin'],
      ['textures', 'ood/textures10-32.bin'],
    ]);
  });
});

// Fig. 7 (wrn-per-dataset) orders OOD sets far → near by the OOD catalog's groups, in the plotted series, the
// table columns and the figure CSV, whatever order the rows arrive in; sets the catalog does not know go last.
import { describe, expect, it } from 'vitest';
import { farToNearRank, oodGroupOf } from '../data/oodCatalog';
import { plotSeries } from './aggregate';
import { wrnPerDataset } from './specs/wrnPerDataset';
import { wrnTable2 } from './specs/wrnTable2';
import { figureCsv, plotTables } from './table';
import type { ResultRow } from './types';

function row(method: string, oodSet: string, value: number): ResultRow {
  const cell = { method, seed: 1 };
  return {
    experiment: wrnPerDataset.id,
    cellKey: `k-${method}`,
    cell,
    config: cell,
    seed: 1,
    setting: 'consistent',
    detector: 'EBO',
    oodSet,
    metric: 'AUROC',
    value,
    epoch: null,
    budget: null,
    nId: 1000,
    nOod: 1000,
    origin: 'torchrun',
    backend: 'pytorch-cpu',
    device: 'test',
    scale: 'quick',
    appVersion: '0.1.0',
    date: '2026-11-30T12:00:00Z',
  };
}

// Arrival order mixes near, far and unknown sets; the second method lacks some sets.
const sets = [
  'CIFAR-10 unknown classes',
  'MNIST',
  'my folder',
  'Uniform noise',
  'CIFAR-100 test',
  'Textures',
];
const rows = [
  ...sets.map((s, i) => row('OE', s, 0.5 + i / 100)),
  row('AOE', 'Textures', 0.9),
  row('AOE', 'CIFAR-10 unknown classes', 0.8),
  row('AOE', 'Uniform noise', 0.95),
];
const FAR_TO_NEAR = [
  'Uniform noise',
  'Textures',
  'MNIST',
  'CIFAR-100 test',
  'CIFAR-10 unknown classes',
  'my folder',
];

describe('per-set figure, far → near', () => {
  it('ranks every far set before every near set, unknown sets last', () => {
    const far = ['Uniform noise', 'Gaussian noise', 'Textures', 'MNIST', 'Fashion-MNIST', 'SVHN'];
    const near = ['CIFAR-100 test', 'TinyImageNet', 'CIFAR-10 unknown classes (open-set split 2)'];
    for (const f of far) expect(oodGroupOf(f)).toBe('far');
    for (const n of near) expect(oodGroupOf(n)).toBe('near');
    expect(Math.max(...far.map(farToNearRank))).toBeLessThan(Math.min(...near.map(farToNearRank)));
    expect(farToNearRank('my folder')).toBe(Number.POSITIVE_INFINITY);
  });

  it('orders series points, table columns and CSV lines far → near', () => {
    const panel = wrnPerDataset.plot.panels[0];
    const series = plotSeries(rows, wrnPerDataset.plot, panel);
    const oe = series.find((s) => s.name === 'OE')!;
    expect(oe.points.map((p) => p.x)).toEqual(FAR_TO_NEAR);
    const aoe = series.find((s) => s.name === 'AOE')!;
    expect(aoe.points.map((p) => p.x)).toEqual(['Uniform noise', 'Textures', 'CIFAR-10 unknown classes']);
    // The AOE series meets CIFAR-10 unknown before the OE-only sets; the columns still follow far → near.
    const reversed = [...rows].reverse();
    expect(plotTables(wrnPerDataset, reversed)[0].columns).toEqual(FAR_TO_NEAR);
    const csv = figureCsv(wrnPerDataset, reversed).trim().split('\n');
    const oeSets = csv.filter((l) => l.startsWith('"AUROC · EBO",OE,')).map((l) => l.split(',')[7]);
    expect(oeSets).toEqual(FAR_TO_NEAR);
  });
});

describe('detector axis (Table 2)', () => {
  it('lists detectors in the canonical order whatever order the sources gave them', () => {
    const t2 = (det: string) => ({ ...row('OE', 'Textures', 0.7), experiment: 'wrn-table2', detector: det });
    const tables = plotTables(wrnTable2, ['ODIN', 'SHE', 'EBO', 'MSP', 'ViM'].map(t2));
    expect(tables[1].columns).toEqual(['MSP', 'EBO', 'ODIN', 'ViM', 'SHE']);
  });
});

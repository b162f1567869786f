import { describe, expect, it } from 'vitest';
import { compareCells, defaultPair } from './compare';
import type { ResultRow } from './types';

const row = (
  cellKey: string,
  method: string,
  detector: string,
  oodSet: string,
  metric: string,
  value: number,
  epoch: number | null = null,
) =>
  ({
    experiment: 'e',
    cellKey,
    cell: { method, seed: 1 },
    config: { method, seed: 1 },
    seed: 1,
    setting: 'consistent',
    detector,
    oodSet,
    metric,
    value,
    epoch,
    budget: null,
    nId: 10,
    nOod: 10,
    origin: 'browser',
    backend: 'wasm',
    device: 'd',
    scale: 'smoke',
    appVersion: '0',
    date: '2026-01-01T00:00:00Z',
  }) as ResultRow;

describe('two cells side by side', () => {
  it('pairs the final measurements of both cells with B − A, ACC first, a missing one as null', () => {
    const rows = [
      row('oe', 'OE', 'EBO', 'SVHN', 'AUROC', 0.9),
      row('oe', 'OE', 'EBO', 'SVHN', 'AUROC', 0.5, 1), // an epoch row: not the final evaluation
      row('oe', 'OE', '', '', 'ACC', 0.8),
      row('aoe', 'AOE', 'EBO', 'SVHN', 'AUROC', 0.95),
      row('aoe', 'AOE', '', '', 'ACC', 0.75),
      row('aoe', 'AOE', 'MSP', 'SVHN', 'AUROC', 0.7),
    ];
    const lines = compareCells(rows, { cellKey: 'oe', scale: 'smoke' }, { cellKey: 'aoe', scale: 'smoke' });
    expect(lines.map((l) => [l.detector, l.metric, l.a, l.b])).toEqual([
      ['', 'ACC', 0.8, 0.75],
      ['EBO', 'AUROC', 0.9, 0.95],
      ['MSP', 'AUROC', null, 0.7],
    ]);
    expect(lines[0].diff).toBe(0.75 - 0.8);
    expect(lines[2].diff).toBeNull();
  });

  it('picks the newest two runs with the same seed and a different method by default', () => {
    const c = (cellKey: string, method: string, seed: number) => ({ cellKey, scale: 'smoke', method, seed });
    // Newest first: two AOE seeds, then OE seed 1.
    const cells = [c('aoe2', 'AOE', 2), c('aoe1', 'AOE', 1), c('oe1', 'OE', 1)];
    expect(defaultPair(cells)!.map((x) => x.cellKey)).toEqual(['oe1', 'aoe1']);
    expect(defaultPair([c('a', 'OE', 1), c('b', 'OE', 2)])!.map((x) => x.cellKey)).toEqual(['b', 'a']);
    expect(defaultPair([c('a', 'OE', 1)])).toBeNull();
  });
});

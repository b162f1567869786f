// The paper's figure/table specs, its printed numbers as rows, reuse coverage and per-set figures.
import { describe, expect, it } from 'vitest';
import { plotSeries } from './aggregate';
import { planCells } from './grid';
import { paperRows, PAPER_TABLE2 } from './paperResults';
import { EXPERIMENTS, experimentById } from './registry';
import { storedCovers } from './run';
import type { ResultRow } from './types';

describe('paper specs', () => {
  it('registers every training-grid figure of the paper', () => {
    const ids = EXPERIMENTS.map((s) => s.id);
    for (const id of [
      'wrn-table2',
      'wrn-eps-sweep',
      'wrn-sigma2',
      'wrn-epochs',
      'wrn-outlier-count',
      'wrn-adversaries',
      'wrn-attack',
      'wrn-attack-pgd',
      'wrn-per-dataset',
    ])
      expect(ids).toContain(id);
  });

  it('plans the ε sweep with ε = 0 shared between AOE and OE + noise (11 cells)', () => {
    const plans = planCells(experimentById('wrn-eps-sweep'), 'quick');
    expect(plans.length).toBe(11);
    expect(plans[0].points).toEqual([
      { method: 'AOE', epsilon: 0, seed: 1 },
      { method: 'OE+noise', epsilon: 0, seed: 1 },
    ]);
  });

  it('Fig. 10 evaluates every epoch; Fig. 6 attacks at budgets 0…1', () => {
    expect(experimentById('wrn-epochs').evaluate.everyEpoch).toBe(true);
    const a = experimentById('wrn-attack').evaluate.attack!;
    expect(a.kind).toBe('fgsm');
    expect(a.budgets[0]).toBe(0);
    expect(a.budgets.at(-1)).toBe(1);
    expect(experimentById('wrn-attack-pgd').evaluate.attack!.kind).toBe('pgd');
  });
});

describe('paper rows', () => {
  it('carry Tables 1–2 exactly as printed (fractions), origin/setting/scale "paper", dataset in the config', () => {
    const rows = paperRows('wrn-table2', 'all');
    // 4 ACC + 15 printed Table 2 rows × 2 metrics, per data set.
    expect(rows.length).toBe(2 * (4 + 15 * 2));
    const get = (d: string, method: string, det: string, metric: string) =>
      rows.find(
        (r) =>
          r.config.idDataset === d && r.cell.method === method && r.detector === det && r.metric === metric,
      )!.value;
    expect(get('cifar10', 'AOE', 'EBO', 'AUROC')).toBe(0.968);
    expect(get('cifar100', 'AOE', 'EBO', 'FPR95TPR')).toBe(0.247);
    expect(get('cifar100', 'CE', 'SHE', 'FPR95TPR')).toBe(1);
    expect(get('cifar10', 'CE', '', 'ACC')).toBe(0.946);
    expect(get('cifar100', 'AOE', '', 'ACC')).toBe(0.748);
    for (const r of rows) {
      expect([r.origin, r.setting, r.scale]).toEqual(['paper', 'paper', 'paper']);
      expect(r.oodSet).toBe(r.detector ? 'mean' : '');
    }
    expect(PAPER_TABLE2.filter((r) => r.epsilon === 0.5).length).toBe(4);
  });

  it('appear as their own series in the Table 2 figure, CIFAR-10 by default', () => {
    const spec = experimentById('wrn-table2');
    const rows = paperRows('wrn-table2');
    expect(rows.every((r) => r.config.idDataset === 'cifar10')).toBe(true);
    const series = plotSeries(rows, spec.plot, spec.plot.panels[1]);
    const aoe = series.find((s) => s.name === 'AOE')!;
    expect(aoe.origin).toBe('paper');
    expect(aoe.points.find((p) => p.x === 'EBO')!.mean).toBeCloseTo(0.968, 12);
    const sweep = experimentById('wrn-eps-sweep');
    const s2 = plotSeries(paperRows('wrn-eps-sweep'), sweep.plot, sweep.plot.panels[1]);
    expect(s2.find((s) => s.name === 'OE+noise')!.points.map((p) => [p.x, p.mean])).toEqual([
      [0, 0.938],
      [0.5, 0.966],
    ]);
    expect(paperRows('wrn-attack')).toEqual([]);
  });
});

describe('reuse and per-set figures', () => {
  const base = paperRows('wrn-table2')[0];
  const r = (p: Partial<ResultRow>): ResultRow => ({ ...base, origin: 'node', ...p });
  it('reuses a stored cell only when its rows answer the spec (detectors, attack budgets, epochs)', () => {
    const clean = [
      r({ detector: 'EBO', oodSet: 'a', metric: 'AUROC' }),
      r({ detector: 'MSP', oodSet: 'a', metric: 'AUROC' }),
      r({ detector: '', oodSet: '', metric: 'ACC' }),
      r({ detector: 'EBO', oodSet: 'a', metric: 'FPR95TPR' }),
    ];
    const table = experimentById('wrn-eps-sweep').evaluate;
    expect(storedCovers(clean, table)).toBe(true);
    expect(storedCovers(clean, experimentById('wrn-table2').evaluate)).toBe(false);
    expect(storedCovers(clean, experimentById('wrn-attack').evaluate)).toBe(false);
    expect(storedCovers(clean, experimentById('wrn-epochs').evaluate)).toBe(false);
    const attacked = experimentById('wrn-attack').evaluate.attack!.budgets.map((b) =>
      r({ detector: 'EBO', oodSet: 'a', metric: 'AUROC', budget: b }),
    );
    expect(storedCovers([...clean, ...attacked], experimentById('wrn-attack').evaluate)).toBe(true);
  });

  it('plots one point per OOD set when x is the set (Fig. 7)', () => {
    const spec = experimentById('wrn-per-dataset');
    const rows = ['far-set', 'near-set'].map((s, i) =>
      r({
        cell: { method: 'AOE', seed: 1 },
        detector: 'EBO',
        oodSet: s,
        metric: 'AUROC',
        value: 0.9 - i / 10,
      }),
    );
    const [series] = plotSeries(rows, spec.plot, spec.plot.panels[0]);
    expect(series.points.map((p) => [p.x, p.mean])).toEqual([
      ['far-set', 0.9],
      ['near-set', 0.8],
    ]);
  });
});

/**
 * The paper's own numbers as result rows (origin 'paper'), so every figure can draw them beside our reference
 * and browser runs. Only what Tables 1 and 2 print (values in percent there, fractions here); nothing read off
 * a figure. The paper reports one run per cell (seed not stated: rows carry seed 0), a WRN-40-2 fine-tuned with
 * its recipe on BigGAN outliers, and the unweighted mean over its eight OOD sets (oodSet 'mean').
 */
import { PAPER_CONFIG } from '../train/config';
import type { MetricName, ResultRow, RunConfig } from './types';

export type PaperDataset = 'cifar10' | 'cifar100';

/** Table 1: ID accuracy (%) per training scheme. */
export const PAPER_TABLE1: Readonly<Record<string, Record<PaperDataset, number>>> = {
  CE: { cifar10: 94.6, cifar100: 75.5 },
  OE: { cifar10: 94.5, cifar100: 75.5 },
  'OE+noise': { cifar10: 94.5, cifar100: 75.0 },
  AOE: { cifar10: 94.4, cifar100: 74.8 },
};

/** One printed row of Table 2: method, detector, ε (null where the table leaves it blank), AUROC/FPR95 (%). */
export interface PaperTable2Row {
  method: string;
  detector: string;
  epsilon: number | null;
  cifar10: { AUROC: number; FPR95TPR: number };
  cifar100: { AUROC: number; FPR95TPR: number };
}

const t2 = (
  method: string,
  detector: string,
  epsilon: number | null,
  c10: [number, number],
  c100: [number, number],
): PaperTable2Row => ({
  method,
  detector,
  epsilon,
  cifar10: { AUROC: c10[0], FPR95TPR: c10[1] },
  cifar100: { AUROC: c100[0], FPR95TPR: c100[1] },
});

/** Table 2 as printed (AUROC ↑, FPR95 ↓, %, mean over the 8 OOD sets). Detector names as our rows spell them. */
export const PAPER_TABLE2: readonly PaperTable2Row[] = [
  t2('CE', 'ODIN', null, [84.0, 43.5], [80.2, 53.0]),
  t2('CE', 'SHE', null, [84.6, 48.3], [56.1, 100.0]),
  t2('CE', 'DICE', null, [87.0, 43.6], [82.0, 47.1]),
  t2('CE', 'MaxLogit', null, [87.1, 42.9], [82.1, 47.6]),
  t2('CE', 'KLMatching', null, [87.2, 56.3], [81.0, 53.3]),
  t2('CE', 'ViM', null, [95.1, 20.5], [90.1, 31.1]),
  t2('CE', 'Mahalanobis', null, [95.6, 17.0], [86.8, 36.3]),
  t2('CE', 'MSP', null, [89.4, 33.1], [79.2, 54.2]),
  t2('OE', 'MSP', null, [94.4, 21.2], [81.7, 48.8]),
  t2('OE+noise', 'MSP', 0.5, [94.7, 17.4], [84.5, 43.5]),
  t2('AOE', 'MSP', 0.5, [95.1, 16.9], [86.1, 42.0]),
  t2('CE', 'EBO', null, [86.9, 43.7], [81.8, 47.5]),
  t2('OE', 'EBO', null, [93.8, 28.9], [84.4, 42.4]),
  t2('OE+noise', 'EBO', 0.5, [96.6, 16.3], [91.1, 31.2]),
  t2('AOE', 'EBO', 0.5, [96.8, 16.0], [93.7, 24.7]),
];

/** The paper's recipe with the ID data set named (the figures filter paper rows by it). */
function paperConfig(dataset: PaperDataset, method: string, epsilon: number): RunConfig {
  return {
    ...(PAPER_CONFIG as unknown as RunConfig),
    method,
    epsilon,
    idDataset: dataset,
    numClasses: dataset === 'cifar10' ? 10 : 100,
  };
}

function row(
  experiment: string,
  dataset: PaperDataset,
  cell: RunConfig,
  epsilon: number,
  detector: string,
  metric: MetricName,
  percent: number,
): ResultRow {
  const method = String(cell.method);
  return {
    experiment,
    cellKey: `paper-${dataset}-${method}-${epsilon}`,
    cell,
    config: { ...paperConfig(dataset, method, epsilon), ...cell },
    seed: 0,
    setting: 'paper',
    detector,
    oodSet: detector ? 'mean' : '',
    metric,
    value: Math.round(percent * 10) / 1000,
    epoch: null,
    budget: null,
    nId: null,
    nOod: null,
    origin: 'paper',
    backend: 'pytorch-cuda',
    device: 'as published (WRN-40-2, BigGAN outliers, 8 OOD sets)',
    scale: 'paper',
    appVersion: 'paper',
    date: '2025-01-01T00:00:00.000Z',
  };
}

/** Tables 1–2 as rows of `wrn-table2` (grid point = method; ε 0.5 where Table 2 prints it). */
function table2Rows(dataset: PaperDataset): ResultRow[] {
  const out: ResultRow[] = [];
  for (const [method, acc] of Object.entries(PAPER_TABLE1)) {
    const eps = method === 'AOE' || method === 'OE+noise' ? 0.5 : 0;
    out.push(row('wrn-table2', dataset, { method, seed: 0 }, eps, '', 'ACC', acc[dataset]));
  }
  for (const r of PAPER_TABLE2) {
    const eps = r.epsilon ?? 0;
    const cell = { method: r.method, seed: 0 };
    out.push(row('wrn-table2', dataset, cell, eps, r.detector, 'AUROC', r[dataset].AUROC));
    out.push(row('wrn-table2', dataset, cell, eps, r.detector, 'FPR95TPR', r[dataset].FPR95TPR));
  }
  return out;
}

/**
 * Table 2's EBO numbers as points of `wrn-eps-sweep` (Figs. 5/8): AOE and OE + noise at ε = 0.5 and OE at
 * ε = 0 (the sweep's shared start of both lines). No other ε is printed in the text.
 */
function epsSweepRows(dataset: PaperDataset): ResultRow[] {
  const out: ResultRow[] = [];
  for (const r of PAPER_TABLE2) {
    if (r.detector !== 'EBO' || r.method === 'CE') continue;
    const points: RunConfig[] =
      r.method === 'OE'
        ? [
            { method: 'AOE', epsilon: 0, seed: 0 },
            { method: 'OE+noise', epsilon: 0, seed: 0 },
          ]
        : [{ method: r.method, epsilon: r.epsilon ?? 0, seed: 0 }];
    for (const cell of points) {
      const eps = Number(cell.epsilon);
      out.push(row('wrn-eps-sweep', dataset, cell, eps, 'EBO', 'AUROC', r[dataset].AUROC));
      out.push(row('wrn-eps-sweep', dataset, cell, eps, 'EBO', 'FPR95TPR', r[dataset].FPR95TPR));
    }
  }
  return out;
}

/**
 * The paper's rows for an experiment (empty when the paper prints no numbers for it), for one ID data set
 * (default CIFAR-10, the app's) or both. The two data sets must not be mixed in one figure series.
 */
export function paperRows(experiment: string, dataset: PaperDataset | 'all' = 'cifar10'): ResultRow[] {
  const sets: PaperDataset[] = dataset === 'all' ? ['cifar10', 'cifar100'] : [dataset];
  const out: ResultRow[] = [];
  for (const d of sets) {
    if (experiment === 'wrn-table2') out.push(...table2Rows(d));
    if (experiment === 'wrn-eps-sweep') out.push(...epsSweepRows(d));
  }
  return out;
}

/** Experiments the paper prints numbers for. */
export const EXPERIMENTS_WITH_PAPER_ROWS = ['wrn-table2', 'wrn-eps-sweep'] as const;

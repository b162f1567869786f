import { defineExperiment } from '../define';
import { WRN_BASE, wrnScales } from './common';

/** Fig. 11: the number of distinct training outliers (cycled over the run, as the authors' code). */
export const wrnOutlierCount = defineExperiment({
  id: 'wrn-outlier-count',
  title: 'Fig. 11: OOD detection vs number of distinct training outliers',
  paperRef: 'Fig. 11',
  claim:
    'Performance rises with the number of distinct outliers, but even a small number works reasonably and it saturates early.',
  model: 'wrn',
  base: { ...WRN_BASE, epsilon: 0.5 },
  grid: { method: ['OE', 'AOE'], outlierCount: [10, 100, 1000, 10000], seed: [1] },
  scales: wrnScales(
    {},
    '2,000 ID images, 62 steps of 32 + 32, 1,000 test images per set; 8 cells; a quick run sees ≤ 1,984 outliers, so 10,000 acts like 1,984 there; time per cell: README “Quick-scale cost”',
  ),
  evaluate: { detectors: ['EBO', 'MSP'], oodSets: 'all', metrics: ['ACC', 'AUROC', 'FPR95TPR'] },
  plot: {
    kind: 'line',
    x: 'outlierCount',
    series: 'method',
    panels: [
      { metric: 'AUROC', detector: 'EBO', oodSet: 'mean' },
      { metric: 'FPR95TPR', detector: 'EBO', oodSet: 'mean' },
    ],
    aggregate: 'mean-sd',
  },
});

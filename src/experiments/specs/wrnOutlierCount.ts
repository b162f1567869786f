import { defineExperiment } from '../define';
import { quickNote, WRN_BASE_AT_PAPER_EPS, wrnScales } from './common';
import { EBO_MSP_EVALUATION, meanEboPanel, meanSdPlot } from './figures';

/** Fig. 11: the number of distinct training outliers (cycled over the run, as the authors' code). */
export const wrnOutlierCount = defineExperiment({
  id: 'wrn-outlier-count',
  title: 'Fig. 11: OOD detection vs number of distinct training outliers',
  paperRef: 'Fig. 11',
  claim:
    'Performance rises with the number of distinct outliers, but even a small number works reasonably and it saturates early.',
  model: 'wrn',
  base: WRN_BASE_AT_PAPER_EPS,
  grid: { method: ['OE', 'AOE'], outlierCount: [10, 100, 1000, 10000], seed: [1] },
  scales: wrnScales(
    {},
    quickNote('8 cells; a quick run sees ≤ 1,984 outliers, so 10,000 acts like 1,984 there'),
  ),
  evaluate: EBO_MSP_EVALUATION,
  // 10 … 10,000 on a log axis: on a linear one 10 and 100 sit on top of each other.
  plot: {
    ...meanSdPlot('line', 'outlierCount', 'method', [meanEboPanel('AUROC'), meanEboPanel('FPR95TPR')]),
    xScale: 'log',
  },
});

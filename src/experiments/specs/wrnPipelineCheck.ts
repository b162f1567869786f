import { defineExperiment } from '../define';
import { WRN_BASE, WRN_SCALES } from './common';

/**
 * The smallest WRN grid that exercises the whole path (data → outliers → fine-tune → fit/score → rows): OE vs AOE
 * with the two detectors the paper leads with. At `smoke` scale it is a pipeline check (the e2e test runs it), not
 * evidence; at `quick` it is the headline comparison in minutes.
 */
export const wrnPipelineCheck = defineExperiment({
  id: 'wrn-pipeline-check',
  title: 'OE vs AOE on the WRN: accuracy and EBO/MSP AUROC',
  paperRef: 'Table 2 (EBO, MSP columns)',
  claim:
    'AOE (ε = 0.5) detects OOD inputs better than OE with the energy score (CIFAR-10 EBO AUROC 96.8 vs 93.8).',
  model: 'wrn',
  base: { ...WRN_BASE, epsilon: 0.5 },
  grid: { method: ['OE', 'AOE'], seed: [1] },
  scales: { smoke: WRN_SCALES.smoke, quick: WRN_SCALES.quick },
  evaluate: { detectors: ['EBO', 'MSP'], oodSets: 'all', metrics: ['AUROC', 'FPR95TPR', 'ACC'] },
  plot: {
    kind: 'table',
    x: 'detector',
    series: 'method',
    panels: [
      { metric: 'ACC', title: 'ID accuracy' },
      { metric: 'AUROC', oodSet: 'mean', title: 'AUROC, mean over OOD sets' },
      { metric: 'FPR95TPR', oodSet: 'mean', title: 'FPR at 95 % TPR, mean over OOD sets' },
    ],
    aggregate: 'mean-sd',
  },
});

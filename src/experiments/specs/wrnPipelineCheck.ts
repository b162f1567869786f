import { defineExperiment } from '../define';
import { OE_VS_AOE, WRN_BASE_AT_PAPER_EPS, WRN_SCALES } from './common';
import { ID_ACCURACY_PANEL, meanSdPlot } from './figures';

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
  base: WRN_BASE_AT_PAPER_EPS,
  grid: OE_VS_AOE,
  scales: { smoke: WRN_SCALES.smoke, quick: WRN_SCALES.quick },
  evaluate: { detectors: ['EBO', 'MSP'], oodSets: 'all', metrics: ['AUROC', 'FPR95TPR', 'ACC'] },
  plot: meanSdPlot('table', 'detector', 'method', [
    ID_ACCURACY_PANEL,
    { metric: 'AUROC', oodSet: 'mean', title: 'AUROC, mean over OOD sets' },
    { metric: 'FPR95TPR', oodSet: 'mean', title: 'FPR at 95 % TPR, mean over OOD sets' },
  ]),
});

import { defineExperiment } from '../define';
import { DETECTOR_NAMES } from '../types';
import { WRN_BASE_AT_PAPER_EPS, WRN_SCALES } from './common';
import { meanSdPlot } from './figures';

/** Tables 1 and 2: ID accuracy and every detector for CE, OE, OE + noise and AOE (ε = 0.5), over seeds. */
export const wrnTable2 = defineExperiment({
  id: 'wrn-table2',
  title: 'Tables 1–2: accuracy and OOD detection per training method',
  paperRef: 'Table 1, Table 2',
  claim:
    'AOE keeps ID accuracy within half a point and gives the best EBO/MSP detection (CIFAR-10 EBO AUROC 96.8 vs OE 93.8).',
  model: 'wrn',
  base: WRN_BASE_AT_PAPER_EPS,
  grid: { method: ['CE', 'OE', 'OE+noise', 'AOE'], seed: [1] },
  scales: WRN_SCALES,
  evaluate: {
    detectors: [...DETECTOR_NAMES],
    oodSets: 'all',
    metrics: ['AUROC', 'FPR95TPR', 'AUPR-IN', 'AUPR-OUT', 'ACC'],
  },
  plot: meanSdPlot('table', 'detector', 'method', [
    { metric: 'ACC' },
    { metric: 'AUROC', oodSet: 'mean' },
    { metric: 'FPR95TPR', oodSet: 'mean' },
  ]),
});

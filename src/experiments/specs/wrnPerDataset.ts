import { defineExperiment } from '../define';
import { WRN_BASE, wrnScales } from './common';

/** Fig. 7: OE vs AOE per OOD set, ordered from far to near OOD (the figure orders sets by the OOD catalogue). */
export const wrnPerDataset = defineExperiment({
  id: 'wrn-per-dataset',
  title: 'Fig. 7: OOD detection per data set, far → near',
  paperRef: 'Fig. 7',
  claim:
    'Every method degrades on near-OOD sets, but AOE stays more stable across the far-to-near continuum.',
  model: 'wrn',
  base: { ...WRN_BASE, epsilon: 0.5 },
  grid: { method: ['OE', 'AOE'], seed: [1] },
  scales: wrnScales(
    {},
    '2,000 ID images, 62 steps of 32 + 32, 1,000 test images per set; 2 cells (reused from Table 2 when it ran at the same scale); time per cell: README “Quick-scale cost”',
  ),
  evaluate: {
    detectors: ['EBO', 'MSP'],
    oodSets: 'all',
    metrics: ['AUROC', 'FPR95TPR', 'AUPR-IN', 'AUPR-OUT'],
  },
  plot: {
    kind: 'bar',
    x: 'oodSet',
    series: 'method',
    panels: [
      { metric: 'AUROC', detector: 'EBO' },
      { metric: 'FPR95TPR', detector: 'EBO' },
    ],
    aggregate: 'mean-sd',
  },
});

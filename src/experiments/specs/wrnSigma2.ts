import { defineExperiment } from '../define';
import { WRN_BASE, wrnScales } from './common';

/** Fig. 9: the latent variance σ² the synthetic training outliers are sampled at (PPCA here, BigGAN in the paper). */
export const wrnSigma2 = defineExperiment({
  id: 'wrn-sigma2',
  title: 'Fig. 9: OOD detection vs σ² of the synthetic outliers',
  paperRef: 'Fig. 9',
  claim:
    'Detection improves slightly for σ² > 1, where outliers become dissimilar to ID data, and stays stable over a wide range of larger σ².',
  model: 'wrn',
  base: { ...WRN_BASE, epsilon: 0.5 },
  grid: { method: ['OE', 'AOE'], sigma2: [0.5, 1, 2, 4, 8, 16], seed: [1] },
  scales: wrnScales(
    {},
    '2,000 ID images, 62 steps of 32 + 32, 1,000 test images per set; 12 cells; time per cell: README “Quick-scale cost”',
  ),
  evaluate: { detectors: ['EBO', 'MSP'], oodSets: 'all', metrics: ['ACC', 'AUROC', 'FPR95TPR'] },
  plot: {
    kind: 'line',
    x: 'sigma2',
    series: 'method',
    panels: [
      { metric: 'AUROC', detector: 'EBO', oodSet: 'mean' },
      { metric: 'FPR95TPR', detector: 'EBO', oodSet: 'mean' },
    ],
    aggregate: 'mean-sd',
  },
});

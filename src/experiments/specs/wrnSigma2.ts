import { defineExperiment } from '../define';
import { quickNote, WRN_BASE_AT_PAPER_EPS, wrnScales } from './common';
import { EBO_MSP_EVALUATION, meanEboPanel, meanSdPlot } from './figures';

/** Fig. 9: the latent variance σ² the synthetic training outliers are sampled at (PPCA here, BigGAN in the paper). */
export const wrnSigma2 = defineExperiment({
  id: 'wrn-sigma2',
  title: 'Fig. 9: OOD detection vs σ² of the synthetic outliers',
  paperRef: 'Fig. 9',
  claim:
    'Detection improves slightly for σ² > 1, where outliers become dissimilar to ID data, and stays stable over a wide range of larger σ².',
  model: 'wrn',
  base: WRN_BASE_AT_PAPER_EPS,
  grid: { method: ['OE', 'AOE'], sigma2: [0.5, 1, 2, 4, 8, 16], seed: [1] },
  scales: wrnScales({}, quickNote('12 cells')),
  evaluate: EBO_MSP_EVALUATION,
  // σ² doubles from 0.5 to 16: a log axis spaces the six values evenly.
  plot: {
    ...meanSdPlot('line', 'sigma2', 'method', [meanEboPanel('AUROC'), meanEboPanel('FPR95TPR')]),
    xScale: 'log',
  },
});

import { defineExperiment } from '../define';
import { WRN_BASE, wrnScales } from './common';

/** Fig. 10: metrics after every fine-tuning epoch (epoch 0 = the pretrained start), one run per curve. */
export const wrnEpochs = defineExperiment({
  id: 'wrn-epochs',
  title: 'Fig. 10: OOD detection after each fine-tuning epoch',
  paperRef: 'Fig. 10',
  claim: 'Most of the gain comes in the first three epochs, after which performance converges.',
  model: 'wrn',
  base: { ...WRN_BASE, epsilon: 0.5 },
  grid: { method: ['OE', 'AOE'], seed: [1] },
  scales: wrnScales(
    { smoke: { epochs: 2 }, quick: { epochs: 4, subsetSize: 1000 } },
    '1,000 ID images, 4 epochs × 31 steps of 32 + 32, evaluated after each epoch on 1,000 test images per set; 2 cells; time per cell: README “Quick-scale cost”',
  ),
  evaluate: {
    detectors: ['EBO', 'MSP'],
    oodSets: 'all',
    metrics: ['ACC', 'AUROC', 'FPR95TPR'],
    everyEpoch: true,
  },
  plot: {
    kind: 'line',
    x: 'epoch',
    series: 'method',
    panels: [
      { metric: 'AUROC', detector: 'EBO', oodSet: 'mean' },
      { metric: 'ACC', title: 'ID accuracy' },
    ],
    aggregate: 'mean-sd',
  },
});

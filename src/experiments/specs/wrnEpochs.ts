import { defineExperiment } from '../define';
import { OE_VS_AOE, WRN_BASE_AT_PAPER_EPS, wrnScales } from './common';
import { EBO_MSP_EVALUATION, ID_ACCURACY_PANEL, meanEboPanel, meanSdPlot } from './figures';

/** Fig. 10: metrics after every fine-tuning epoch (epoch 0 = the pretrained start), one run per curve. */
export const wrnEpochs = defineExperiment({
  id: 'wrn-epochs',
  title: 'Fig. 10: OOD detection after each fine-tuning epoch',
  paperRef: 'Fig. 10',
  claim: 'Most of the gain comes in the first three epochs, after which performance converges.',
  model: 'wrn',
  base: WRN_BASE_AT_PAPER_EPS,
  grid: OE_VS_AOE,
  scales: wrnScales(
    { smoke: { epochs: 2 }, quick: { epochs: 4, subsetSize: 1000 } },
    '1,000 ID images, 4 epochs × 31 steps of 32 + 32, evaluated after each epoch on 1,000 test images per set; 2 cells; time per cell: README “Quick-scale cost”',
  ),
  evaluate: { ...EBO_MSP_EVALUATION, everyEpoch: true },
  plot: meanSdPlot('line', 'epoch', 'method', [meanEboPanel('AUROC'), ID_ACCURACY_PANEL]),
});

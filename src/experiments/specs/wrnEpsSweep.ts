import { defineExperiment } from '../define';
import { EPSILONS, quickNote, WRN_BASE, wrnScales } from './common';
import { EBO_MSP_EVALUATION, meanEboPanel, meanSdPlot } from './figures';

/** Figs. 4, 5 and 8: ID accuracy and mean EBO AUROC vs ε for AOE and OE + Gaussian noise (ε = 0 is OE). */
export const wrnEpsSweep = defineExperiment({
  id: 'wrn-eps-sweep',
  title: 'Figs. 4, 5, 8: accuracy and OOD detection vs ε (AOE vs OE + noise)',
  paperRef: 'Fig. 4, Fig. 5, Fig. 8',
  claim:
    'Accuracy drops only slightly with ε (≤ 0.35 pt on CIFAR-10) while AUROC rises until it saturates, and the gradient step beats Gaussian noise of the same ε.',
  model: 'wrn',
  base: WRN_BASE,
  grid: { method: ['AOE', 'OE+noise'], epsilon: EPSILONS, seed: [1] },
  scales: wrnScales({}, quickNote('11 cells (ε = 0 shared)')),
  evaluate: EBO_MSP_EVALUATION,
  plot: meanSdPlot('line', 'epsilon', 'method', [
    { metric: 'ACC', title: 'ID accuracy (Fig. 4)' },
    meanEboPanel('AUROC', 'mean EBO AUROC (Figs. 5, 8)'),
    meanEboPanel('FPR95TPR', 'mean EBO FPR95'),
  ]),
});

import { defineExperiment } from '../define';
import { quickNote, WRN_BASE_AT_PAPER_EPS, wrnScales } from './common';
import { EBO_MSP_EVALUATION, ID_ACCURACY_PANEL, meanEboPanel, meanSdPlot } from './figures';

/** "Different adversaries": AOE with one FGSM-style step vs AOE-PGD (k steps in the L∞ ball of radius ε). */
export const wrnAdversaries = defineExperiment({
  id: 'wrn-adversaries',
  title: 'Ablation: AOE (FGSM step) vs AOE-PGD',
  paperRef: 'Sec. 5.7 "Different Adversaries"',
  claim: 'Training against the stronger PGD adversary is consistently outperformed by the single FGSM step.',
  model: 'wrn',
  base: WRN_BASE_AT_PAPER_EPS,
  grid: { method: ['AOE', 'AOE-PGD'], epsilon: [0.1, 0.25, 0.5, 1], seed: [1] },
  scales: wrnScales(
    { smoke: { pgdSteps: 2 }, quick: { pgdSteps: 5 } },
    quickNote('8 cells, PGD with 5 steps (α = 0.03)'),
  ),
  evaluate: EBO_MSP_EVALUATION,
  plot: meanSdPlot('line', 'epsilon', 'method', [meanEboPanel('AUROC'), ID_ACCURACY_PANEL]),
});

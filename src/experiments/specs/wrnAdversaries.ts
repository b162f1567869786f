import { defineExperiment } from '../define';
import { WRN_BASE, wrnScales } from './common';

/** "Different adversaries": AOE with one FGSM-style step vs AOE-PGD (k steps in the L∞ ball of radius ε). */
export const wrnAdversaries = defineExperiment({
  id: 'wrn-adversaries',
  title: 'Ablation: AOE (FGSM step) vs AOE-PGD',
  paperRef: 'Sec. 5.7 "Different Adversaries"',
  claim: 'Training against the stronger PGD adversary is consistently outperformed by the single FGSM step.',
  model: 'wrn',
  base: { ...WRN_BASE, epsilon: 0.5 },
  grid: { method: ['AOE', 'AOE-PGD'], epsilon: [0.1, 0.25, 0.5, 1], seed: [1] },
  scales: wrnScales(
    { smoke: { pgdSteps: 2 }, quick: { pgdSteps: 5 } },
    '2,000 ID images, 62 steps of 32 + 32, 1,000 test images per set; 8 cells, PGD with 5 steps (α = 0.03); time per cell: README “Quick-scale cost”',
  ),
  evaluate: { detectors: ['EBO', 'MSP'], oodSets: 'all', metrics: ['ACC', 'AUROC', 'FPR95TPR'] },
  plot: {
    kind: 'line',
    x: 'epsilon',
    series: 'method',
    panels: [
      { metric: 'AUROC', detector: 'EBO', oodSet: 'mean' },
      { metric: 'ACC', title: 'ID accuracy' },
    ],
    aggregate: 'mean-sd',
  },
});

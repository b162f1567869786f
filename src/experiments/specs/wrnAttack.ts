import { defineExperiment } from '../define';
import type { ExperimentSpec } from '../types';
import { ATTACK_BUDGETS, WRN_BASE, wrnScales } from './common';

function attackSpec(kind: 'fgsm' | 'pgd'): ExperimentSpec {
  const pgd = kind === 'pgd';
  return defineExperiment({
    id: pgd ? 'wrn-attack-pgd' : 'wrn-attack',
    title: `Fig. 6: EBO under a test-time ${pgd ? 'PGD' : 'FGSM'} attack on the OOD inputs`,
    paperRef: pgd ? 'Fig. 6 (stronger adversary)' : 'Fig. 6',
    claim:
      'AOE-trained models degrade more slowly under attack and never fall to random guessing, while OE drops below it for budgets > 0.75 on some OOD sets.',
    model: 'wrn',
    base: { ...WRN_BASE, epsilon: 0.5 },
    grid: { method: ['OE', 'AOE'], seed: [1] },
    scales: wrnScales(
      {},
      pgd
        ? '2,000 ID images, 62 steps of 32 + 32, 1,000 test images per set; 2 cells; 10-step PGD on every OOD image at 6 budgets; time per cell: README “Quick-scale cost”'
        : '2,000 ID images, 62 steps of 32 + 32, 1,000 test images per set; 2 cells; one FGSM step on every OOD image at 6 budgets; time per cell: README “Quick-scale cost”',
    ),
    evaluate: {
      detectors: ['EBO', 'MSP'],
      oodSets: 'all',
      metrics: ['ACC', 'AUROC', 'FPR95TPR'],
      attack: { kind, budgets: ATTACK_BUDGETS },
    },
    plot: {
      kind: 'line',
      x: 'budget',
      series: 'method',
      panels: [
        { metric: 'AUROC', detector: 'EBO', oodSet: 'mean', title: 'mean EBO AUROC (50 % = random guess)' },
        { metric: 'FPR95TPR', detector: 'EBO', oodSet: 'mean' },
      ],
      aggregate: 'mean-sd',
    },
  });
}

/** Fig. 6 as the paper's text defines it: FGSM maximising L_OE on OOD inputs only, metrics per budget. */
export const wrnAttack = attackSpec('fgsm');
/** Fig. 6 with the stronger PGD adversary (same objective, iterated and projected). */
export const wrnAttackPgd = attackSpec('pgd');

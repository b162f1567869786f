import { defineExperiment } from '../define';
import type { ExperimentSpec } from '../types';
import { ATTACK_BUDGETS, OE_VS_AOE, quickNote, WRN_BASE_AT_PAPER_EPS, wrnScales } from './common';
import { EBO_MSP_EVALUATION, meanEboPanel, meanSdPlot } from './figures';

function attackSpec(kind: 'fgsm' | 'pgd'): ExperimentSpec {
  const pgd = kind === 'pgd';
  return defineExperiment({
    id: pgd ? 'wrn-attack-pgd' : 'wrn-attack',
    title: `Fig. 6: EBO under a test-time ${pgd ? 'PGD' : 'FGSM'} attack on the OOD inputs`,
    paperRef: pgd ? 'Fig. 6 (stronger adversary)' : 'Fig. 6',
    claim:
      'AOE-trained models degrade more slowly under attack and never fall to random guessing, while OE drops below it for budgets > 0.75 on some OOD sets.',
    model: 'wrn',
    base: WRN_BASE_AT_PAPER_EPS,
    grid: OE_VS_AOE,
    scales: wrnScales(
      {},
      quickNote(`2 cells; ${pgd ? '10-step PGD' : 'one FGSM step'} on every OOD image at 6 budgets`),
    ),
    evaluate: { ...EBO_MSP_EVALUATION, attack: { kind, budgets: ATTACK_BUDGETS } },
    // The paper's claim is about random guessing: both panels draw where a random detector lies.
    plot: meanSdPlot('line', 'budget', 'method', [
      { ...meanEboPanel('AUROC', 'mean EBO AUROC (50 % = random guess)'), chance: 0.5 },
      { ...meanEboPanel('FPR95TPR', 'mean EBO FPR95 (95 % = random guess)'), chance: 0.95 },
    ]),
  });
}

/** Fig. 6 as the paper's text defines it: FGSM maximising L_OE on OOD inputs only, metrics per budget. */
export const wrnAttack = attackSpec('fgsm');
/** Fig. 6 with the stronger PGD adversary (same objective, iterated and projected). */
export const wrnAttackPgd = attackSpec('pgd');

import { defineExperiment } from '../define';
import { TOY_BASE, TOY_SCALES } from './common';
import { meanSdPlot } from './figures';

/** The toy's ε sweep (Fig. 1 made quantitative): accepted area and AUROC vs ε, AOE against the noise baseline. */
export const toyEpsSweep = defineExperiment({
  id: 'toy-eps-sweep',
  title: 'Toy: accepted area and AUROC vs ε',
  paperRef: 'Fig. 1 (quantified), Fig. 8',
  claim:
    'Stepping outliers down the energy tightens the decision boundary more than random noise of the same size.',
  model: 'toy',
  base: TOY_BASE,
  grid: {
    method: ['AOE', 'OE+noise'],
    epsilon: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    seed: [1],
  },
  scales: TOY_SCALES,
  evaluate: { detectors: ['EBO'], oodSets: ['near', 'far'], metrics: ['AUROC', 'FPR95TPR', 'ACC', 'AREA'] },
  plot: meanSdPlot('line', 'epsilon', 'method', [
    { metric: 'AREA', title: 'accepted area (fraction of the view)' },
    { metric: 'AUROC', detector: 'EBO', oodSet: 'mean' },
  ]),
});

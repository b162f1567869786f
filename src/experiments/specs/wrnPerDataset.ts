import { defineExperiment } from '../define';
import { OE_VS_AOE, quickNote, WRN_BASE_AT_PAPER_EPS, wrnScales } from './common';
import { meanSdPlot } from './figures';

/** Fig. 7: OE vs AOE per OOD set, ordered from far to near OOD (the figure orders sets by the OOD catalogue). */
export const wrnPerDataset = defineExperiment({
  id: 'wrn-per-dataset',
  title: 'Fig. 7: OOD detection per data set, far → near',
  paperRef: 'Fig. 7',
  claim:
    'Every method degrades on near-OOD sets, but AOE stays more stable across the far-to-near continuum.',
  model: 'wrn',
  base: WRN_BASE_AT_PAPER_EPS,
  grid: OE_VS_AOE,
  scales: wrnScales({}, quickNote('2 cells (reused from Table 2 when it ran at the same scale)')),
  evaluate: {
    detectors: ['EBO', 'MSP'],
    oodSets: 'all',
    metrics: ['AUROC', 'FPR95TPR', 'AUPR-IN', 'AUPR-OUT'],
  },
  plot: meanSdPlot('bar', 'oodSet', 'method', [
    { metric: 'AUROC', detector: 'EBO' },
    { metric: 'FPR95TPR', detector: 'EBO' },
  ]),
});

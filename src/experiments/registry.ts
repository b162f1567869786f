/** Every experiment the app, `npm run exp` and the reference know, by id (one file per spec in specs/). */
import type { ExperimentSpec } from './types';
import { toyEpsSweep } from './specs/toyEpsSweep';
import { wrnTable2 } from './specs/wrnTable2';
import { wrnPipelineCheck } from './specs/wrnPipelineCheck';
import { wrnEpsSweep } from './specs/wrnEpsSweep';
import { wrnSigma2 } from './specs/wrnSigma2';
import { wrnEpochs } from './specs/wrnEpochs';
import { wrnOutlierCount } from './specs/wrnOutlierCount';
import { wrnAdversaries } from './specs/wrnAdversaries';
import { wrnAttack, wrnAttackPgd } from './specs/wrnAttack';
import { wrnPerDataset } from './specs/wrnPerDataset';
import { wrnOpenSet } from './specs/wrnOpenSet';

/** In the paper's order: tables, then figures, then ablations; the toy first. */
export const EXPERIMENTS: readonly ExperimentSpec[] = [
  toyEpsSweep,
  wrnTable2,
  wrnEpsSweep,
  wrnAttack,
  wrnAttackPgd,
  wrnPerDataset,
  wrnOpenSet,
  wrnSigma2,
  wrnEpochs,
  wrnOutlierCount,
  wrnAdversaries,
  wrnPipelineCheck,
];

/** The spec with this id, or an error listing the ids there are. */
export function experimentById(id: string): ExperimentSpec {
  const spec = EXPERIMENTS.find((s) => s.id === id);
  if (!spec) throw new Error(`No experiment "${id}". Known: ${EXPERIMENTS.map((s) => s.id).join(', ')}.`);
  return spec;
}

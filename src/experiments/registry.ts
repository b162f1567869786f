/** Every experiment the app, `npm run exp` and the reference know, by id (one file per spec in specs/). */
import type { ExperimentSpec } from './types';
import { toyEpsSweep } from './specs/toyEpsSweep';
import { wrnTable2 } from './specs/wrnTable2';
import { wrnPipelineCheck } from './specs/wrnPipelineCheck';

export const EXPERIMENTS: readonly ExperimentSpec[] = [toyEpsSweep, wrnTable2, wrnPipelineCheck];

/** The spec with this id, or an error listing the ids there are. */
export function experimentById(id: string): ExperimentSpec {
  const spec = EXPERIMENTS.find((s) => s.id === id);
  if (!spec) throw new Error(`No experiment "${id}". Known: ${EXPERIMENTS.map((s) => s.id).join(', ')}.`);
  return spec;
}

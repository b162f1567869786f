/** `defineExperiment`: checks a spec once, where it is written, so a bad spec fails at import (and in tests). */
import { executorKindOf } from './executors/table';
import { DETECTOR_NAMES, OOD_METRIC_NAMES, type ExperimentSpec } from './types';
import { PLOT_ROW_FIELDS } from './aggregate';

/** Returns the spec unchanged, or throws a message naming every problem. */
export function defineExperiment(spec: ExperimentSpec): ExperimentSpec {
  const problems = checkExperiment(spec);
  if (problems.length) throw new Error(`Experiment "${spec.id}": ${problems.join(' ')}`);
  return spec;
}

/** Every problem of a spec as a sentence (empty when valid). */
export function checkExperiment(spec: ExperimentSpec): string[] {
  const p: string[] = [];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(spec.id)) p.push('id must be kebab-case.');
  if (!spec.id.startsWith(`${spec.model}-`)) p.push(`id must start with its model ("${spec.model}-").`);
  if (!executorKindOf(spec)) p.push(`no cell executor runs model "${spec.model}" with task "${spec.task}".`);
  for (const [axis, values] of Object.entries(spec.grid)) {
    if (!(axis in spec.base)) p.push(`grid axis "${axis}" is not a base config key.`);
    if (values.length === 0) p.push(`grid axis "${axis}" is empty.`);
  }
  for (const [scale, s] of Object.entries(spec.scales)) {
    for (const k of Object.keys(s?.overrides ?? {})) {
      if (!(k in spec.base)) p.push(`scale "${scale}" overrides unknown key "${k}".`);
    }
  }
  if (Object.keys(spec.scales).length === 0) p.push('needs at least one scale.');
  for (const d of spec.evaluate.detectors) {
    if (!(DETECTOR_NAMES as readonly string[]).includes(d)) p.push(`unknown detector "${d}".`);
  }
  const keyOk = (k: string) => k in spec.base || (PLOT_ROW_FIELDS as readonly string[]).includes(k);
  if (!keyOk(spec.plot.x)) p.push(`plot x "${spec.plot.x}" is neither a config key nor a row field.`);
  if (!keyOk(spec.plot.series))
    p.push(`plot series "${spec.plot.series}" is neither a config key nor a row field.`);
  for (const panel of spec.plot.panels) {
    if (!spec.evaluate.metrics.includes(panel.metric))
      p.push(`plot metric "${panel.metric}" is not evaluated.`);
    const byDetector = spec.plot.x === 'detector' || spec.plot.series === 'detector';
    if (
      (OOD_METRIC_NAMES as readonly string[]).includes(panel.metric) &&
      panel.detector === undefined &&
      !byDetector
    ) {
      p.push(`plot panel ${panel.metric} needs a detector (or plot by detector).`);
    }
    if (panel.detector && !spec.evaluate.detectors.includes(panel.detector as never)) {
      p.push(`plot detector "${panel.detector}" is not evaluated.`);
    }
  }
  if (
    spec.plot.xScale === 'log' &&
    Object.entries(spec.grid).some(
      ([k, v]) => k === spec.plot.x && v.some((x) => !(typeof x === 'number' && x > 0)),
    )
  )
    p.push(`plot xScale "log" needs positive numbers on the "${spec.plot.x}" axis.`);
  if (spec.plot.x === 'epoch' && !spec.evaluate.everyEpoch)
    p.push('plot x "epoch" needs evaluate.everyEpoch.');
  if (spec.plot.x === 'budget' && !spec.evaluate.attack) p.push('plot x "budget" needs evaluate.attack.');
  return p;
}

/**
 * Evaluation and plot fragments the figure specs share, so that each spec states only what is its own: which
 * detectors and metrics, which panels, and the mean ± sd plot over seeds.
 */
import type { EvaluateSpec, MetricName, PlotPanel, PlotSpec } from '../types';

/** What the WRN figures report: ID accuracy, AUROC and FPR at 95 % TPR of EBO and MSP on every OOD set. */
export const EBO_MSP_EVALUATION: EvaluateSpec = {
  detectors: ['EBO', 'MSP'],
  oodSets: 'all',
  metrics: ['ACC', 'AUROC', 'FPR95TPR'],
};

/** A panel of one EBO metric averaged over the OOD sets, with an optional axis title. */
export function meanEboPanel(metric: MetricName, title?: string): PlotPanel {
  return { metric, detector: 'EBO', oodSet: 'mean', ...(title === undefined ? {} : { title }) };
}

/** The ID-accuracy panel. */
export const ID_ACCURACY_PANEL: PlotPanel = { metric: 'ACC', title: 'ID accuracy' };

/** A figure of `series` against `x`, one chart per panel, repeated cells (seeds) as mean ± sd. */
export function meanSdPlot(
  kind: PlotSpec['kind'],
  x: string,
  series: string,
  panels: readonly PlotPanel[],
): PlotSpec {
  return { kind, x, series, panels, aggregate: 'mean-sd' };
}

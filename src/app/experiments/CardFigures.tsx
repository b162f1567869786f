import { memo, useRef } from 'react';
import { oodGroupOf, sortFarToNear } from '../../data/oodCatalog';
import { plotSeries, type Series } from '../../experiments/aggregate';
import { rowsToCsv } from '../../experiments/csv';
import { toResultsFile } from '../../experiments/results';
import { figureCsv, panelTitle } from '../../experiments/table';
import type { ExperimentSpec, ResultRow } from '../../experiments/types';
import { downloadBlob, downloadText, figureSvg, svgToPng } from './figureExport';
import { PanelChart, PanelTableView } from './Figure';

function PanelFigure(props: {
  spec: ExperimentSpec;
  series: Series[];
  title: string;
  panelMetric: string;
  index: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const { spec, series, title, panelMetric, index } = props;
  const name = `${spec.id}-panel${index + 1}`;
  const svgText = () => figureSvg(ref.current!, `${spec.title} — ${title} (%)`, series);
  const isTable = spec.plot.kind === 'table';
  return (
    <figure className="exp-figure" data-testid={`exp-figure-${spec.id}-${index}`}>
      <figcaption>
        {title} <span className="muted">(%, mean ± sd over seeds)</span>
      </figcaption>
      {series.length === 0 ? (
        <p className="muted exp-empty">No rows yet: run the grid, or drop a results file onto this area.</p>
      ) : isTable ? (
        <PanelTableView series={series} xName={spec.plot.x} testId={`exp-table-${spec.id}-${index}`} />
      ) : (
        <>
          <div ref={ref}>
            <PanelChart
              series={series}
              plot={spec.plot}
              yLabel={panelMetric}
              chance={spec.plot.panels[index].chance}
            />
          </div>
          <PanelTableView series={series} xName={spec.plot.x} testId={`exp-table-${spec.id}-${index}`} />
          <div className="exp-buttons">
            <button type="button" onClick={() => downloadText(`${name}.svg`, svgText(), 'image/svg+xml')}>
              SVG
            </button>
            <button
              type="button"
              onClick={() => void svgToPng(svgText()).then((b) => downloadBlob(`${name}.png`, b))}
            >
              PNG
            </button>
          </div>
        </>
      )}
    </figure>
  );
}

/** The far → near order of the OOD sets in a per-set figure, with each set's group from the OOD catalog. */
function FarToNear(props: { rows: ResultRow[] }) {
  const sets = sortFarToNear([...new Set(props.rows.map((r) => r.oodSet).filter(Boolean))], String);
  if (sets.length === 0) return null;
  const tag = (s: string) => `${s} (${oodGroupOf(s) ?? 'not in the OOD catalog'})`;
  return (
    <p className="muted" data-testid="far-to-near">
      OOD sets left to right, far → near (groups from the OOD catalog): {sets.map(tag).join(', ')}.
    </p>
  );
}

/** Every panel of a spec's plot from the given rows, plus the card's data exports. */

export const CardFigures = memo(function CardFigures(props: { spec: ExperimentSpec; rows: ResultRow[] }) {
  const { spec, rows } = props;
  return (
    <div className="exp-figures">
      <div className="exp-figure-row">
        {spec.plot.panels.map((panel, i) => (
          <PanelFigure
            key={i}
            spec={spec}
            index={i}
            title={panelTitle(panel)}
            panelMetric={panel.metric === 'FPR95TPR' ? 'FPR at 95 % TPR' : panel.metric}
            series={plotSeries(rows, spec.plot, panel)}
          />
        ))}
      </div>
      {spec.plot.x === 'oodSet' && <FarToNear rows={rows} />}
      <div className="exp-buttons" role="group" aria-label="Export">
        <span className="muted">Export:</span>
        <button
          type="button"
          disabled={rows.length === 0}
          onClick={() => downloadText(`${spec.id}.csv`, rowsToCsv(rows), 'text/csv')}
        >
          Rows CSV
        </button>
        <button
          type="button"
          disabled={rows.length === 0}
          onClick={() =>
            downloadText(
              `${spec.id}.json`,
              JSON.stringify(toResultsFile(rows, 'AOE Playground (browser)')),
              'application/json',
            )
          }
        >
          Results JSON
        </button>
        <button
          type="button"
          disabled={rows.length === 0}
          onClick={() => downloadText(`${spec.id}-figure.csv`, figureCsv(spec, rows), 'text/csv')}
        >
          Figure numbers CSV
        </button>
      </div>
    </div>
  );
});

import {
  CartesianGrid,
  ErrorBar,
  Line,
  LineChart,
  ReferenceLine,
  Symbols,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Series } from '../../experiments/aggregate';
import { formatMeanSd, xValues } from '../../experiments/table';
import type { PlotSpec, Scalar } from '../../experiments/types';
import { axisLabel, originDash, seriesLegend, seriesStyle } from './style';

const label = seriesLegend;
const pct = (v: number) => +(v * 100).toFixed(4);

/** A panel as a table: series × x, mean ± sd over seeds in percent, two decimals. */
export function PanelTableView(props: { series: Series[]; xName: string; testId: string }) {
  const cols = xValues(props.series);
  return (
    <table className="exp-table" data-testid={props.testId}>
      <thead>
        <tr>
          <th scope="col">series \ {axisLabel(props.xName)}</th>
          {cols.map((x) => (
            <th scope="col" key={String(x)}>
              {x === '' ? '(no detector)' : String(x)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.series.map((s) => (
          <tr key={label(s)}>
            <th scope="row">
              <span className="exp-swatch" style={{ background: seriesStyle(s.name).color }} />
              {label(s)}
            </th>
            {cols.map((x) => {
              const p = s.points.find((q) => q.x === x);
              return (
                <td key={String(x)} title={p ? `n = ${p.n}, seeds ${p.seeds.join(', ')}` : undefined}>
                  {p ? formatMeanSd(p.mean, p.sd, p.n) : ''}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A panel as a line chart with ± sd error bars (percent) and, where the panel gives one, a dashed "random guess"
 * line at its chance level; one line per series, styled by method and source (the
 * line style tells the source). For `kind: 'bar'` (categories such as OOD sets or open-set splits) x is
 * categorical even when its values are numbers, so the first and last categories sit inside the plot.
 */
export function PanelChart(props: { series: Series[]; plot: PlotSpec; yLabel: string; chance?: number }) {
  const categorical = props.plot.kind === 'bar';
  const numeric = !categorical && props.series.every((s) => s.points.every((p) => typeof p.x === 'number'));
  const cats = numeric ? [] : xValues(props.series).map(String);
  const xOf = (x: Scalar) => (numeric ? (x as number) : cats.indexOf(String(x)));
  return (
    <LineChart width={560} height={280} margin={{ top: 10, right: 16, bottom: 22, left: 14 }}>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis
        dataKey="x"
        type="number"
        scale={numeric && props.plot.xScale === 'log' ? 'log' : 'auto'}
        domain={numeric ? ['dataMin', 'dataMax'] : [-0.5, cats.length - 0.5]}
        ticks={numeric ? (xValues(props.series) as number[]) : cats.map((_, i) => i)}
        tickFormatter={(v: number) => (numeric ? String(+v.toFixed(3)) : (cats[v] ?? ''))}
        allowDuplicatedCategory={false}
        interval={0}
        tick={{ fontSize: 11 }}
        label={{ value: axisLabel(props.plot.x), position: 'insideBottom', offset: -12, fontSize: 12 }}
      />
      <YAxis
        width={52}
        // Every plotted metric is a percentage: pad the data range by a point, never past 0 or 100 (recharts'
        // 'auto' rounds outwards to nice ticks and drew AUROC axes up to 120 %).
        domain={[
          (lo: number) => Math.max(0, Math.floor(lo - 1)),
          (hi: number) => Math.min(100, Math.ceil(hi + 1)),
        ]}
        tickFormatter={(v: number) => v.toFixed(1)}
        label={{ value: `${props.yLabel} (%)`, angle: -90, position: 'insideLeft', offset: -2, fontSize: 12 }}
      />
      {props.chance !== undefined && (
        <ReferenceLine
          y={pct(props.chance)}
          ifOverflow="extendDomain"
          stroke="#868e96"
          strokeDasharray="2 4"
          label={{ value: 'random guess', position: 'insideBottomRight', fontSize: 11, fill: '#868e96' }}
        />
      )}
      <Tooltip
        formatter={(v, name, item) => {
          const sd = (item?.payload as { sd?: number } | undefined)?.sd ?? 0;
          return [`${Number(v).toFixed(2)} ± ${sd.toFixed(2)}`, name];
        }}
        labelFormatter={(v) => `${axisLabel(props.plot.x)} = ${numeric ? v : cats[Number(v)]}`}
      />
      {props.series.map((s) => {
        const st = seriesStyle(s.name);
        const data = s.points.map((p) => ({ x: xOf(p.x), mean: pct(p.mean), sd: pct(p.sd), n: p.n }));
        return (
          <Line
            key={label(s)}
            data={data}
            dataKey="mean"
            name={label(s)}
            stroke={st.color}
            strokeDasharray={originDash(s.origin)}
            strokeWidth={2}
            dot={(d: { cx?: number; cy?: number; index?: number }) => (
              <Symbols
                key={`${label(s)}-${d.index}`}
                cx={d.cx}
                cy={d.cy}
                type={st.marker}
                size={48}
                fill={st.color}
              />
            )}
            isAnimationActive={false}
          >
            <ErrorBar dataKey="sd" width={4} stroke={st.color} direction="y" />
          </Line>
        );
      })}
    </LineChart>
  );
}

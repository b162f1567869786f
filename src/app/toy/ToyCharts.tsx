import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ToyEvaluation } from '../../train/toy/evaluate';
import type { SweepPoint } from '../../train/toy/sweep';

const ID_COLOR = '#2f7ed8';
const OUT_COLOR = '#7a7a7a';
const PERT_COLOR = '#e8384f';

/** The histogram's three areas: row key, legend name, colour and fill opacity (ID drawn most solid). */
const HIST_SERIES = [
  { key: 'ID', name: 'ID', color: ID_COLOR, opacity: 0.35 },
  { key: 'outliers', name: 'outliers', color: OUT_COLOR, opacity: 0.25 },
  { key: 'perturbed', name: 'perturbed outliers', color: PERT_COLOR, opacity: 0.2 },
];

/** Energy histogram of ID training points, training outliers and their perturbed copies (paper Fig. 3 in 2-D). */
export function EnergyHistogram(props: { ev: ToyEvaluation; title: string }) {
  const { edges, counts } = props.ev.hist;
  const rows = counts[0].map((_, i) => ({
    e: +((edges[i] + edges[i + 1]) / 2).toFixed(2),
    ID: counts[0][i],
    outliers: counts[1][i],
    perturbed: counts[2][i],
  }));
  return (
    <figure className="toy-chart" data-testid="toy-histogram">
      <figcaption>
        {props.title} <span className="muted">(x: energy E(x), y: count)</span>
      </figcaption>
      <AreaChart width={340} height={215} data={rows} margin={{ top: 12, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          dataKey="e"
          type="number"
          domain={['dataMin', 'dataMax']}
          tickFormatter={(v: number) => v.toFixed(1)}
          tickCount={5}
        />
        <YAxis width={36} />
        <Tooltip formatter={(v) => String(v)} labelFormatter={(v) => `E ≈ ${v}`} />
        <Legend verticalAlign="bottom" height={22} wrapperStyle={{ fontSize: 12 }} />
        {HIST_SERIES.map((a) => (
          <Area
            key={a.key}
            type="step"
            dataKey={a.key}
            name={a.name}
            stroke={a.color}
            fill={a.color}
            fillOpacity={a.opacity}
            isAnimationActive={false}
          />
        ))}
        <ReferenceLine
          x={props.ev.tau}
          stroke="#111"
          strokeDasharray="4 2"
          label={{ value: 'τ', position: 'top' }}
        />
      </AreaChart>
    </figure>
  );
}

/** ROC curves of the energy detector (held-out ID vs held-out near+far OOD) for both panes. */
export function RocChart(props: { curves: { name: string; color: string; ev: ToyEvaluation }[] }) {
  return (
    <figure className="toy-chart" data-testid="toy-roc">
      <figcaption>
        ROC of the energy: held-out ID vs OOD <span className="muted">(x: FPR, y: TPR)</span>
      </figcaption>
      <LineChart width={300} height={215} margin={{ top: 12, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="fpr" type="number" domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} />
        <YAxis type="number" domain={[0, 1]} ticks={[0, 0.5, 1]} width={36} />
        <Legend verticalAlign="bottom" height={22} wrapperStyle={{ fontSize: 12 }} />
        <ReferenceLine
          segment={[
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ]}
          stroke="#bbb"
          strokeDasharray="3 3"
        />
        {props.curves.map((c) => (
          <Line
            key={c.name}
            name={`${c.name} (AUROC ${(100 * c.ev.AUROC).toFixed(1)}%)`}
            data={c.ev.roc.fpr.map((f, i) => ({ fpr: f, tpr: c.ev.roc.tpr[i] }))}
            dataKey="tpr"
            stroke={c.color}
            dot={false}
            strokeWidth={2}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </figure>
  );
}

const SWEEP_METRICS: { key: keyof SweepPoint; label: string }[] = [
  { key: 'acceptedArea', label: 'accepted area' },
  { key: 'AUROC', label: 'AUROC' },
  { key: 'accuracy', label: 'ID accuracy' },
];

/** The sweep's two lines: the method's key in the sweep points, its legend name and its stroke. */
const SWEEP_SERIES = [
  { method: 'AOE', name: 'AOE', color: PERT_COLOR, dash: undefined },
  { method: 'OE+noise', name: 'OE + noise', color: OUT_COLOR, dash: '5 3' },
];

/** ε sweep: accepted area, AUROC and accuracy against ε for AOE and the noise baseline. */
export function SweepCharts(props: { points: SweepPoint[] }) {
  const eps = [...new Set(props.points.map((p) => p.epsilon))].sort((a, b) => a - b);
  const rows = eps.map((e) => {
    const row: Record<string, number> = { epsilon: e };
    for (const p of props.points.filter((q) => q.epsilon === e)) {
      for (const m of SWEEP_METRICS) row[`${p.method}:${m.key}`] = p[m.key] as number;
    }
    return row;
  });
  return (
    <div className="toy-sweep-charts" data-testid="toy-sweep-charts">
      {SWEEP_METRICS.map((m) => (
        <figure className="toy-chart" key={m.key}>
          <figcaption>{m.label} vs ε</figcaption>
          <LineChart width={280} height={185} data={rows} margin={{ top: 12, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="epsilon" type="number" domain={[0, 1]} ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]} />
            <YAxis
              // Fractions: AUROC/accuracy end at 100 % (recharts' 'auto' rounded past it to 105 %), and start a
              // little below the lowest point so an all-100 % accuracy line still has readable ticks.
              domain={
                m.key === 'acceptedArea'
                  ? [0, 'auto']
                  : [(d: number) => Math.max(0, Math.floor(d * 20) / 20 - 0.05), 1]
              }
              width={m.key === 'accuracy' ? 66 : 58}
              tickFormatter={m.key === 'accuracy' ? pct1 : pct}
            />
            <Tooltip formatter={(v) => pct1(Number(v))} labelFormatter={(v) => `ε = ${v}`} />
            <Legend verticalAlign="bottom" height={22} wrapperStyle={{ fontSize: 12 }} />
            {SWEEP_SERIES.map((l) => (
              <Line
                key={l.method}
                dataKey={`${l.method}:${m.key}`}
                name={l.name}
                stroke={l.color}
                strokeWidth={2}
                strokeDasharray={l.dash}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </figure>
      ))}
    </div>
  );
}

function pct(v: number): string {
  return `${Math.round(100 * v)}%`;
}

function pct1(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

import { useState } from 'react';
import { toSpecFile, torchrunCommand } from '../../experiments/specFile';
import type { ExperimentSpec, Scalar, ScaleName } from '../../experiments/types';
import { downloadText } from './figureExport';

/** "Run at scale": download the aoe-experiment file for the PyTorch reference and show the command. */
export function RunAtScale(props: {
  spec: ExperimentSpec;
  scale: ScaleName;
  extraGrid: Record<string, Scalar[]> | null;
}) {
  const [nproc, setNproc] = useState(1);
  const { spec, scale, extraGrid } = props;
  if (spec.task === 'openset')
    return (
      <details className="exp-scale-out">
        <summary>Run at scale (PyTorch)</summary>
        <p>
          The open-set cells are trained by the reference script, one split and seed per call (the paper-scale
          recipe; about 30 min per split on this project's 2-core CPU). Its results file (
          <code>reference/results/openset-split&lt;k&gt;-seed&lt;s&gt;.json</code>) is described in
          reference/README.md.
        </p>
        <pre className="exp-command" data-testid={`exp-command-${spec.id}`}>
          {`for k in 1 2 3 4 5; do python3 reference/openset_finetune.py --split $k --seed 1 --steps 43; done`}
        </pre>
      </details>
    );
  return (
    <details className="exp-scale-out">
      <summary>Run at scale (PyTorch, torchrun)</summary>
      <p>
        Download the spec file (every planned cell with its key, at the {scale} scale), then on a machine with
        the repository and PyTorch run the command below; drop the merged <code>results/{spec.id}.json</code>{' '}
        onto this area to see those series here, labelled with where they ran.
      </p>
      <div className="exp-controls">
        <button
          type="button"
          disabled={!extraGrid}
          onClick={() =>
            downloadText(
              `${spec.id}.spec.json`,
              JSON.stringify(toSpecFile(spec, scale, extraGrid ?? {}), null, 1),
              'application/json',
            )
          }
        >
          Download {spec.id}.spec.json
        </button>
        <label>
          processes per node{' '}
          <input
            type="number"
            min={1}
            max={64}
            value={nproc}
            onChange={(e) => setNproc(Math.max(1, Math.floor(Number(e.target.value) || 1)))}
          />
        </label>
      </div>
      <pre className="exp-command" data-testid={`exp-command-${spec.id}`}>
        {torchrunCommand(spec.id, nproc)}
      </pre>
    </details>
  );
}

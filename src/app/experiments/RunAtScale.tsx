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

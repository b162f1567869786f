/**
 * The experiment spec as a file (`aoe-experiment` v1): what the app's "run at scale" button downloads and what
 * `reference/run_experiment.py` (PyTorch, torchrun) reads. It carries the planned cells with their keys, so
 * every runner trains exactly the same cells and writes rows the app can merge (no re-hashing in Python).
 */
import { planCells } from './grid';
import type { CellPlan, ExperimentSpec, Scalar, ScaleName } from './types';

export const SPEC_SCHEMA = 'aoe-experiment';
export const SPEC_VERSION = 1;

export interface SpecFile {
  schema: typeof SPEC_SCHEMA;
  version: typeof SPEC_VERSION;
  spec: ExperimentSpec;
  scale: ScaleName | 'custom';
  /** Cells in run order; each trains `config` once and answers for every grid point in `points`. */
  plan: CellPlan[];
}

/** Build the file for a spec at a scale (extra axes, e.g. more seeds, are planned in). */
export function toSpecFile(
  spec: ExperimentSpec,
  scale: ScaleName | 'custom',
  extraGrid: Readonly<Record<string, readonly Scalar[]>> = {},
): SpecFile {
  const grid = { ...spec.grid, ...extraGrid };
  return {
    schema: SPEC_SCHEMA,
    version: SPEC_VERSION,
    spec: { ...spec, grid },
    scale,
    plan: planCells(spec, scale, extraGrid),
  };
}

/** Read a spec file; throws a message naming the problem. */
export function fromSpecFile(data: unknown): SpecFile {
  const f = data as Partial<SpecFile>;
  if (!f || f.schema !== SPEC_SCHEMA)
    throw new Error(`Not an AOE experiment file (expected "schema": "${SPEC_SCHEMA}").`);
  if (f.version !== SPEC_VERSION)
    throw new Error(`Experiment file version ${String(f.version)} is not supported.`);
  if (!f.spec || !Array.isArray(f.plan)) throw new Error('Experiment file needs "spec" and "plan".');
  return f as SpecFile;
}

/** The exact torchrun command for a downloaded spec file (N processes on this node). */
export function torchrunCommand(id: string, nproc: number): string {
  return `/usr/bin/python3 -m torch.distributed.run --nproc_per_node=${nproc} reference/run_experiment.py ${id}.spec.json --out results/`;
}

/**
 * What the "run at scale" button shows: the file names and the exact commands that run an experiment file
 * (`aoe-experiment` v1) on torchrun with `reference/run_experiment.py`, and where its merged results appear.
 * Pure strings; the runner's behaviour is documented in README "Scale out".
 */
import type { SpecFile } from './specFile';

export interface TorchrunOptions {
  /** Processes per machine (several may share one GPU: small WRN-16-2 cells pack well). Default 4. */
  nprocPerNode?: number;
  /** Machines (multi-node = the same command with --nnodes). Default 1. */
  nnodes?: number;
  /** Output folder (shared by all machines). Default 'results'. */
  out?: string;
  /** Python interpreter. Default 'python3'. */
  python?: string;
}

export interface TorchrunCommands {
  /** Name to save the experiment file under, e.g. `wrn-table2.quick.json`. */
  specFileName: string;
  /** The merged results file rank 0 writes, e.g. `results/wrn-table2.json` (drop it into the app). */
  resultsPath: string;
  /** One process, no torchrun (CPU or one GPU). */
  single: string;
  /**
   * torchrun on one machine; with nnodes > 1 the command every machine runs, with its own `NODE_RANK`
   * (0 … nnodes−1) and `HEAD` = the address of machine 0 set in the environment.
   */
  torchrun: string;
  /** Cells the plan trains (each once, round-robin over the ranks). */
  cells: number;
}

/** Commands for a spec file. Shell-safe: ids are kebab-case and options are numbers or plain paths. */
export function torchrunCommands(file: SpecFile, o: TorchrunOptions = {}): TorchrunCommands {
  const nproc = o.nprocPerNode ?? 4;
  const nnodes = o.nnodes ?? 1;
  const out = o.out ?? 'results';
  const py = o.python ?? 'python3';
  if (!Number.isInteger(nproc) || nproc < 1 || !Number.isInteger(nnodes) || nnodes < 1)
    throw new Error('Processes per node and nodes must be positive integers.');
  if (!/^[\w./-]+$/.test(out) || !/^[\w./-]+$/.test(py))
    throw new Error('Output folder and interpreter must be plain paths (letters, digits, . _ / -).');
  const specFileName = `${file.spec.id}.${file.scale}.json`;
  const script = `reference/run_experiment.py ${specFileName} --out ${out}`;
  const nodes =
    nnodes > 1 ? ` --nnodes=${nnodes} --node_rank=$NODE_RANK --master_addr=$HEAD --master_port=29500` : '';
  return {
    specFileName,
    resultsPath: `${out}/${file.spec.id}.json`,
    single: `${py} ${script}`,
    torchrun: `${py} -m torch.distributed.run --nproc_per_node=${nproc}${nodes} ${script}`,
    cells: file.plan.length,
  };
}

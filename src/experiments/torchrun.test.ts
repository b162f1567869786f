import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromSpecFile } from './specFile';
import { torchrunCommands } from './torchrun';

const smoke = fromSpecFile(
  JSON.parse(readFileSync(new URL('../../reference/specs/smoke.json', import.meta.url), 'utf8')),
);

describe('torchrun commands', () => {
  it('names the files and gives the exact commands (the ones the CPU test runs)', () => {
    const c = torchrunCommands(smoke, { nprocPerNode: 2 });
    expect(c.specFileName).toBe('wrn-torchrun-smoke.smoke.json');
    expect(c.resultsPath).toBe('results/wrn-torchrun-smoke.json');
    expect(c.single).toBe('python3 reference/run_experiment.py wrn-torchrun-smoke.smoke.json --out results');
    expect(c.torchrun).toBe(
      'python3 -m torch.distributed.run --nproc_per_node=2 reference/run_experiment.py ' +
        'wrn-torchrun-smoke.smoke.json --out results',
    );
    expect(c.cells).toBe(4);
  });

  it('multi-node is the same command with --nnodes; bad options are refused', () => {
    const c = torchrunCommands(smoke, { nnodes: 3, out: 'shared/res' });
    expect(c.torchrun).toContain(
      ' --nproc_per_node=4 --nnodes=3 --node_rank=$NODE_RANK --master_addr=$HEAD ',
    );
    expect(c.torchrun).toContain('--out shared/res');
    expect(() => torchrunCommands(smoke, { nprocPerNode: 0 })).toThrow(/positive integers/);
    expect(() => torchrunCommands(smoke, { out: 'a; rm -rf /' })).toThrow(/plain paths/);
  });
});

// The torchrun path as the app sees it (issue 11): the committed smoke spec is exactly what the app's planner
// writes, and the merged results that 2 gloo ranks produced from it (reference/test_run_experiment.py) load
// through the app's own reader with every planned cell, detector, OOD set and metric present.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SMOKE_SPEC } from '../src/cli/torchrunSpecs';
import { fromResultsFile } from '../src/experiments/results';
import { fromSpecFile, toSpecFile } from '../src/experiments/specFile';
import { DETECTOR_NAMES, OOD_METRIC_NAMES } from '../src/experiments/types';
import type { OutlierSetting } from '../src/train/config';
import { withSetting } from '../src/train/settings';

const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as unknown;
const spec = fromSpecFile(read('../reference/specs/smoke.json'));
const rows = fromResultsFile(read('../reference/results/smoke/wrn-torchrun-smoke.json'));
const version = (read('../package.json') as { version: string }).version;

describe('torchrun smoke spec and results', () => {
  it('the committed spec is the app planner’s file for the smoke scale (same cells, same keys)', () => {
    expect(spec).toEqual(JSON.parse(JSON.stringify(toSpecFile(SMOKE_SPEC, 'smoke'))));
    expect(spec.plan).toHaveLength(4);
  });

  it('the merged results hold every planned cell once, with torchrun provenance', () => {
    const keys = [...new Set(rows.map((r) => r.cellKey))];
    expect(keys).toEqual(spec.plan.map((p) => p.cellKey));
    for (const p of spec.plan) {
      const mine = rows.filter((r) => r.cellKey === p.cellKey);
      // The config each cell trained with: the plan's, with what its setting fixes (authors: shared noise…).
      expect(mine[0].config).toEqual(withSetting(p.config, p.config.setting as OutlierSetting));
      expect(mine[0].cell).toEqual(p.points[0]);
      expect(mine[0].setting).toBe(p.config.setting);
      expect(mine[0].seed).toBe(p.config.seed);
    }
    for (const r of rows) {
      expect(r).toMatchObject({
        experiment: 'wrn-torchrun-smoke',
        origin: 'torchrun',
        backend: 'pytorch-cpu',
        scale: 'smoke',
        appVersion: version,
        epoch: null,
        budget: null,
      });
      expect(Number.isNaN(Date.parse(r.date))).toBe(false);
      expect(r.value).toBeGreaterThanOrEqual(0);
      expect(r.value).toBeLessThanOrEqual(1);
    }
  });

  it('each cell has ACC and all nine detectors × four metrics on every OOD set of the data folder', () => {
    const sets = ['Textures', 'Fashion-MNIST', 'Gaussian noise', 'Uniform noise'];
    for (const p of spec.plan) {
      const mine = rows.filter((r) => r.cellKey === p.cellKey);
      const acc = mine.filter((r) => r.metric === 'ACC');
      expect(acc).toHaveLength(1);
      expect(acc[0].nId).toBe(100);
      const ood = mine.filter((r) => r.metric !== 'ACC');
      expect(ood).toHaveLength(DETECTOR_NAMES.length * sets.length * OOD_METRIC_NAMES.length);
      expect(new Set(ood.map((r) => r.detector))).toEqual(new Set(DETECTOR_NAMES));
      expect(new Set(ood.map((r) => r.oodSet))).toEqual(new Set(sets));
      expect(new Set(ood.map((r) => r.metric))).toEqual(new Set(OOD_METRIC_NAMES));
      for (const r of ood) expect([r.nId, r.nOod]).toEqual([100, 100]);
    }
  });
});

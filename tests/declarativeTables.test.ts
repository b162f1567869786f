/**
 * The declarative tables — the two settings schemas and every experiment spec with its planned cells — pinned as
 * JSON files, so that a refactoring of how the tables are written (builders, shared fragments) provably leaves
 * what they say unchanged: every key, default, range, help and paper text; every spec id, title, grid, evaluation,
 * plot and scale; every planned cell key (the committed reference results in public/reference match on them).
 * A deliberate change to a table updates the files with `npx vitest run tests/declarativeTables.test.ts -u`.
 */
import { describe, expect, it } from 'vitest';
import { WRN_SCHEMA, WRN_SCHEMA_VERSION } from '../src/train/wrnSchema';
import { TOY_SCHEMA, TOY_SCHEMA_VERSION } from '../src/train/toy/params';
import { EXPERIMENTS } from '../src/experiments/registry';
import { planCells } from '../src/experiments/grid';
import type { ExperimentSpec, ScaleName } from '../src/experiments/types';
import { EPS_SWEEP_SPEC, REFERENCE_GRID_SPEC, SMOKE_SPEC } from '../src/cli/torchrunSpecs';

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

/** A spec as data plus, per scale it has, the cells the planner makes of it (key and grid points served). */
function specWithPlan(spec: ExperimentSpec) {
  const plans = Object.fromEntries(
    (Object.keys(spec.scales) as ScaleName[]).map((scale) => [
      scale,
      planCells(spec, scale).map(({ cellKey, points }) => ({ cellKey, points })),
    ]),
  );
  return { spec, plans };
}

describe('declarative tables are unchanged', () => {
  it('settings schemas (WRN_SCHEMA, TOY_SCHEMA)', async () => {
    await expect(
      json({ WRN_SCHEMA_VERSION, WRN_SCHEMA, TOY_SCHEMA_VERSION, TOY_SCHEMA }),
    ).toMatchFileSnapshot('./fixtures/declarative/schemas.json');
  });

  it('experiment specs and their planned cells', async () => {
    await expect(json(EXPERIMENTS.map(specWithPlan))).toMatchFileSnapshot(
      './fixtures/declarative/experiments.json',
    );
  });

  it('torchrun specs and their planned cells', async () => {
    await expect(
      json([SMOKE_SPEC, REFERENCE_GRID_SPEC, EPS_SWEEP_SPEC].map(specWithPlan)),
    ).toMatchFileSnapshot('./fixtures/declarative/torchrunSpecs.json');
  });
});

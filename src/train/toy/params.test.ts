import { describe, expect, it } from 'vitest';
import {
  TOY_SCHEMA,
  TOY_SCHEMA_VERSION,
  defaultToyParams,
  mergeToyParams,
  toyParamsFromQuery,
  toyParamsToQuery,
} from './params';

describe('toy URL schema', () => {
  it('defaults come from the schema table and encode to just the version', () => {
    const d = defaultToyParams();
    for (const [k, spec] of Object.entries(TOY_SCHEMA)) expect(d[k as keyof typeof d]).toBe(spec.default);
    expect(toyParamsToQuery(d)).toEqual({ tv: String(TOY_SCHEMA_VERSION) });
  });

  it('round-trips changed settings through query entries', () => {
    const p = {
      ...defaultToyParams(),
      dataset: 'moons' as const,
      seed: 42,
      epsilon: 0.3,
      method: 'OE+noise' as const,
    };
    const q = toyParamsToQuery(p);
    expect(q).toEqual({ tv: '1', dataset: 'moons', seed: '42', epsilon: '0.3', method: 'OE+noise' });
    expect(toyParamsFromQuery(q)).toEqual(p);
  });

  it('rejects unknown keys and bad values, clamps numbers to the range', () => {
    const { params, rejected } = mergeToyParams(defaultToyParams(), {
      epsilon: 9,
      seed: '7.4',
      dataset: 'circles',
      bogus: 1,
      lambda: 'x',
    });
    expect(params.epsilon).toBe(TOY_SCHEMA.epsilon.max);
    expect(params.seed).toBe(7);
    expect(params.dataset).toBe('blobs');
    expect(rejected.sort()).toEqual(['bogus', 'dataset', 'lambda']);
  });

  it('a link from another schema version falls back to the defaults', () => {
    expect(toyParamsFromQuery({ tv: '999', seed: '5' })).toEqual(defaultToyParams());
  });
});

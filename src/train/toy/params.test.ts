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
  it('defaults come from the schema table; the query carries the version and every non-empty key', () => {
    const d = defaultToyParams();
    for (const [k, spec] of Object.entries(TOY_SCHEMA)) expect(d[k as keyof typeof d]).toBe(spec.default);
    const q = toyParamsToQuery(d);
    expect(q.tv).toBe(String(TOY_SCHEMA_VERSION));
    expect(Object.keys(q).sort()).toEqual(
      ['tv', ...Object.keys(TOY_SCHEMA).filter((k) => k !== 'pts')].sort(),
    );
  });

  it('round-trips changed settings through query entries', () => {
    const p = {
      ...defaultToyParams(),
      dataset: 'moons' as const,
      seed: 42,
      epsilon: 0.3,
      method: 'OE+noise' as const,
      pts: '1,2,0;3,-4.5,1',
    };
    const q = toyParamsToQuery(p);
    expect([q.dataset, q.seed, q.epsilon, q.method, q.pts]).toEqual([
      'moons',
      '42',
      '0.3',
      'OE+noise',
      p.pts,
    ]);
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

  it('a version-1 link (before the lr schedule) keeps its constant rate and its other keys', () => {
    const p = toyParamsFromQuery({ tv: '1', seed: '5', steps: '500' });
    expect(p).toEqual({ ...defaultToyParams(), seed: 5, steps: 500, schedule: 'constant', pretrain: 0 });
  });
});

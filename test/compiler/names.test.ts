// The names hindsight makes up fit the warehouse's identifier length and stay apart (src/compiler/names.ts).
import { describe, expect, it } from 'vitest';
import { PIPELINES } from '../../src/compiler/pipelines.js';
import { fitName, monitorIndex, sessionTable, stagedTable } from '../../src/compiler/names.js';
import { duckdb } from '../../src/dialects/duckdb.js';
import { postgres } from '../../src/dialects/postgres.js';

const longest = 'a'.repeat(40).padEnd(60, '_b'); // the longest monitor name the schema allows
const steps = [...new Set(Object.values(PIPELINES).flat())];

describe('made-up names', () => {
  it('are kept whole where they fit, and on DuckDB', () => {
    expect(sessionTable(postgres, 'orders', 'outcome_matches')).toBe('hs_orders__outcome_matches');
    expect(stagedTable(postgres, 'orders', 'evaluations', 'f3a9c2d1-0000')).toBe('hs_orders__evaluations_f3a9c2d1');
    expect(sessionTable(duckdb, longest, 'outcome_matches')).toBe(`hs_${longest}__outcome_matches`);
  });

  it('fit in 63 bytes on Postgres and stay apart, for every step of every problem type', () => {
    const names = [
      ...steps.map((step) => sessionTable(postgres, longest, step)),
      stagedTable(postgres, longest, 'evaluations', '11111111-run'),
      stagedTable(postgres, longest, 'evaluations', '22222222-run'),
      monitorIndex(postgres, longest, 'evaluations_by_key'),
      monitorIndex(postgres, longest, 'evaluations_by_time'),
    ];
    for (const name of names) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    // what Postgres would keep of each name: all different
    expect(new Set(names.map((n) => n.slice(0, 63))).size).toBe(names.length);
    // and none is the cut name of the monitor's own evaluations table
    expect(names.map((n) => n.slice(0, 63))).not.toContain(`${longest}__evaluations`.slice(0, 63));
  });

  it('fit the same way every time, keeping the start of the name', () => {
    const name = `hs_${longest}__prediction_events`;
    expect(fitName(postgres, name)).toBe(fitName(postgres, name));
    expect(fitName(postgres, name)).toHaveLength(63);
    expect(fitName(postgres, name).startsWith(name.slice(0, 52))).toBe(true);
    expect(fitName(postgres, `${name}x`)).not.toBe(fitName(postgres, name));
  });
});

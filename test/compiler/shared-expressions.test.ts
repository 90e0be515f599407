// CTEs read more than once become session tables where the warehouse would run them once per
// reference (BigQuery): the rows stay the same, and every statement hindsight runs there reads each
// table as often as it names it, not once per path through its CTEs.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { expandedReads, references, shareExpressions } from '../../src/compiler/shared-expressions.js';
import { dialects } from '../../src/dialects/index.js';
import { compiledMonitors } from '../warehouses/cases.js';

// The layout the templates render: a header comment, CTEs opening and closing at the line start.
const QUERY = `-- totals per key, read three times
with base as (
    select k, v from "t" where v > 0
),

totals as (
    select k, sum(v) as s, count(*) as n
    from base
    group by k
),

once as (
    select k from totals where s > 1
)

select a.k, a.s, b.n as n2
from totals as a
join totals as b
    on b.k = a.k
join once on once.k = a.k
union all
select k, s, null
from totals
`;

const options = { tableName: (cte: string) => `tmp__${cte}`, quote: (name: string) => `"${name}"`, userSql: [] };
const sum = (reads: Map<string, number>) => [...reads.values()].reduce((a, b) => a + b, 0);

describe('shareExpressions', () => {
  it('builds a CTE read three times once, inlines the others where they are read, and returns the same rows (DuckDB)', async () => {
    const shared = shareExpressions(QUERY, options);
    expect(shared.tables.map((t) => t.name)).toEqual(['tmp__totals']);
    expect(shared.tables[0]!.select).toMatch(/^with base as \(/);
    expect(shared.query).toMatch(/^-- totals per key, read three times\nwith once as \(/);
    expect(references(shared.query)).toEqual(['"tmp__totals"', '"tmp__totals"', '"tmp__totals"', 'once', '"tmp__totals"']);

    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    await c.run(`create table t as select i % 5 as k, i - 3 as v from range(40) as r(i)`);
    const rows = async (sql: string) => (await c.runAndReadAll(`${sql} order by 1, 2, 3`)).getRowObjectsJS();
    const expected = await rows(QUERY);
    for (const t of shared.tables) await c.run(`create temporary table "${t.name}" as\n${t.select}`);
    expect(await rows(shared.query)).toEqual(expected);
    expect(expected.length).toBe(10);
    c.closeSync();
  });

  it('counts reads as a warehouse without CTE reuse does them', () => {
    // base → totals: 1 read of t; the main query reads totals three times and once (one totals) once
    expect(expandedReads(QUERY)).toEqual(new Map([['"t"', 4]]));
    const shared = shareExpressions(QUERY, options);
    expect(expandedReads(shared.tables[0]!.select)).toEqual(new Map([['"t"', 1]]));
    expect(expandedReads(shared.query)).toEqual(new Map([['"tmp__totals"', 4]]));
  });

  it('leaves a query alone without a shared CTE, or when the monitor\'s own SQL reads a relation named like a CTE', () => {
    const single = `with a as (\n    select 1 as x from "t"\n)\n\nselect x from a\n`;
    expect(shareExpressions(single, options)).toEqual({ tables: [], query: single });
    expect(shareExpressions('select 1 from "t"\n', options)).toEqual({ tables: [], query: 'select 1 from "t"\n' });
    expect(shareExpressions(QUERY, { ...options, userSql: ['select * from events join totals using (k)'] })).toEqual({ tables: [], query: QUERY });
  });
});

describe('BigQuery steps of every example and of the varied monitors of the warehouse proofs', () => {
  const steps = compiledMonitors(dialects.bigquery!).flatMap((c) =>
    (['full', 'incremental'] as const).flatMap((run) =>
      c[run].filter((s) => s.kind === 'table').map((s) => ({ label: `${c.monitor.name}/${run}/${s.name}`, step: s })),
    ),
  );
  const tablesNamed = (sql: string) => references(sql).filter((r) => /[`".]/.test(r)).length;

  it.each(steps)('$label reads each table once per time its statements name it', ({ step }) => {
    for (const statement of step.statements) expect(sum(expandedReads(statement))).toBe(tablesNamed(statement));
  });

  it('would read the evaluations table hundreds of times in the metric step as rendered (the check can fail)', () => {
    const metrics = steps.find((s) => s.label === 'keep_probability/full/metrics')!.step;
    expect(sum(expandedReads(metrics.sql))).toBeGreaterThan(10 * tablesNamed(metrics.sql));
  });
});

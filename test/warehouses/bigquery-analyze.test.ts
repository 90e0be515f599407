// BigQuery SQL, proven without BigQuery: every statement hindsight compiles for BigQuery (setup,
// full refresh, planning, incremental; the shop example and varied monitors) must pass semantic
// analysis by ZetaSQL, the GoogleSQL analyzer BigQuery is built on, with every language feature on.
// Analysis resolves each table, column, function signature and type, so what passes is valid
// GoogleSQL over these schemas. The controls at the end show that the analyzer does reject SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/dialects/index.js';
import { compiledMonitors, SOURCE_TABLES, statementsInOrder } from './cases.js';
import { Analyzer } from './zetasql.js';

const bigquery = dialects.bigquery!;
const compiled = compiledMonitors(bigquery);

describe('BigQuery SQL passes ZetaSQL analysis', () => {
  let analyzer: Analyzer;
  beforeAll(async () => {
    analyzer = await Analyzer.start('@fivetrandevelopers/zetasql');
    analyzer.addSources(SOURCE_TABLES);
  });
  afterAll(() => analyzer?.stop());

  // In execution order: each CREATE adds its table (session tables, output tables) to the catalog,
  // so later statements are checked against the columns and types earlier ones really produce.
  it.each(compiled.map((c) => [c.monitor.name, c] as const))('%s', async (_, c) => {
    const failures: string[] = [];
    const statements = statementsInOrder(bigquery, c);
    for (const [label, sql] of statements) {
      const error = await analyzer.analyze(sql);
      if (error) failures.push(`${label}: ${error}`);
    }
    expect(failures).toEqual([]);
    expect(statements.length).toBeGreaterThan(20);
  });

  // An aggregate of a group's values into one array is one row, which BigQuery limits to 100 MB: a
  // percentile read from one (a regression's abs_error_p99 did) failed for a group of some ten
  // million rows. The percentiles are window functions over the group (macros/percentiles.sql) instead.
  it('builds no array of a group\'s values', () => {
    const arrays = compiled.flatMap((c) => [...c.full, ...c.incremental].flatMap((step) => step.statements.filter((sql) => /\barray_agg\s*\(/i.test(sql)).map(() => `${c.monitor.name} ${step.name}`)));
    expect(arrays).toEqual([]);
    expect(compiled.some((c) => c.monitor.type === 'regression')).toBe(true);
  });

  // Not in these pipelines (macros/percentiles.sql takes the window form), but templates may call it.
  it('analyzes the aggregate percentile fallback', async () => {
    const p = (f: number) => bigquery.percentile('label_delay_hours', f);
    const sql = `select model_version, ${p(0.5)} as p50, ${p(0.99)} as p99\nfrom \`hs_keep_probability__evaluations\`\ngroup by model_version`;
    expect(await analyzer.analyze(sql)).toBeUndefined();
  });

  it('rejects a statement with an unknown function (the check can fail)', async () => {
    const step = compiled[0]!.full.find((s) => s.name === 'data_quality')!;
    const wrong = step.statements.find((s) => s.includes('timestamp_trunc('))!.replace('timestamp_trunc(', 'timestamp_trunk(');
    expect(await analyzer.analyze(wrong)).toMatch(/Function not found: timestamp_trunk/);
  });

  it('rejects the Postgres dialect\'s SQL for the same step', async () => {
    const [shop] = compiledMonitors(dialects.postgres!);
    const step = shop!.full.find((s) => s.name === 'prediction_events')!;
    expect(await analyzer.analyze(step.sql)).toBeDefined();
  });
});

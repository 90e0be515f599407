// Snowflake SQL, second opinion: every statement hindsight compiles for Snowflake (same cases as the
// BigQuery check) must pass semantic analysis by Fivetran's Snowflake fork of ZetaSQL. The fork
// resolves Snowflake names, functions (DATEADD, DAYOFWEEKISO, DATE_TRUNC, DATE_PART(epoch_…)) and
// `::` casts, but it maps Snowflake onto GoogleSQL's types and grammar and so lacks a few things
// Snowflake has. Those few are rewritten below, each into the nearest construct the fork knows,
// and listed with the reason; everything else in the statement is still analyzed. The real
// behaviour of what is rewritten is covered by transpiled.test.ts (execution) and the golden files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/dialects/index.js';
import { compiledMonitors, SOURCE_TABLES, statementsInOrder, type ColumnKind } from './cases.js';
import { Analyzer } from './zetasql.js';

const snowflake = dialects.snowflake!;
const compiled = compiledMonitors(snowflake);

/** What the fork does not know, why the Snowflake SQL is right anyway, and what it is checked as. */
const FORK_GAPS: { gap: string; why: string; from: RegExp; to: string }[] = [
  {
    gap: 'type FLOAT',
    why: "GoogleSQL's external mode has no FLOAT; Snowflake's FLOAT is a 64-bit double, i.e. FLOAT64",
    from: /\bfloat\b/g,
    to: 'float64',
  },
  {
    gap: 'NUMBER(38, 15)',
    why: "the fork maps NUMBER to GoogleSQL's NUMERIC, whose scale stops at 9; Snowflake's goes to 37",
    from: /\bnumber\(38, 15\)/g,
    to: 'bignumeric',
  },
  {
    gap: 'PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY x)',
    why: "GoogleSQL's grammar has no WITHIN GROUP; the fork has Snowflake's aggregate as percentile_cont(x, f)",
    from: /percentile_cont\(([\d.]+)\) within group \(order by ([^()]+)\)/g,
    to: 'percentile_cont($2, $1)',
  },
  {
    gap: "COLLATE(x, 'utf8')",
    why: 'the fork has no COLLATE function; it only changes how x compares, not its type',
    from: /collate\(([^()]+), 'utf8'\)/g,
    to: '$1',
  },
  {
    gap: 'CAST(<boolean> AS NUMBER)',
    why: 'GoogleSQL casts BOOL only to INT64, not to NUMERIC; Snowflake casts BOOLEAN to NUMBER (TRUE is 1)',
    from: /cast\(((?:kept|label)) as number\)/g,
    to: 'cast($1 as int64)',
  },
  {
    gap: 'TABLE(FLATTEN(ARRAY_GENERATE_RANGE(a, b, s))) AS t',
    why: "the fork has no table functions, nor ARRAY_GENERATE_RANGE; FLATTEN's rows of such an array are GoogleSQL's UNNEST(GENERATE_ARRAY(a, b - 1, s)), each as t.value",
    from: /table\(flatten\(array_generate_range\((.*?), (\d+)\)\)\) as (\w+)(?![\w(])/g,
    to: 'unnest(array(select as struct value from unnest(generate_array($1 - 1, $2)) as value)) as $3',
  },
];

const forFork = (sql: string) => FORK_GAPS.reduce((s, g) => s.replace(g.from, g.to), sql);

describe('Snowflake SQL passes analysis by the Snowflake fork of ZetaSQL', () => {
  let analyzer: Analyzer;
  beforeAll(async () => {
    analyzer = await Analyzer.start('@fivetrandevelopers/zetasql-snowflake');
    // Snowflake's DATETIME is another name of TIMESTAMP_NTZ, where GoogleSQL's is a type of its own
    analyzer.addSources(SOURCE_TABLES.map((t) => ({ ...t, columns: t.columns.map(([name, kind]): [string, ColumnKind] => [name, kind === 'DATETIME' ? 'TIMESTAMP' : kind]) })));
  });
  afterAll(() => analyzer?.stop());

  it.each(compiled.map((c) => [c.monitor.name, c] as const))('%s', async (_, c) => {
    const failures: string[] = [];
    const statements = statementsInOrder(snowflake, c);
    for (const [label, sql] of statements) {
      const error = await analyzer.analyze(forFork(sql));
      if (error) failures.push(`${label}: ${error}`);
    }
    expect(failures).toEqual([]);
    expect(statements.length).toBeGreaterThan(20);
  });

  it('needs each listed accommodation, and no other', async () => {
    const step = compiled[0]!.full.find((s) => s.name === 'data_quality')!.statements[0]!;
    // without the rewrite the fork rejects WITHIN GROUP: the list says what it does not know
    expect(await analyzer.analyze(step)).toMatch(/WITHIN/);
    const used = FORK_GAPS.filter((g) => compiled.some((c) => statementsInOrder(snowflake, c).some(([, sql]) => sql.search(g.from) >= 0)));
    expect(used.map((g) => g.gap)).toEqual(FORK_GAPS.map((g) => g.gap));
  });

  it('rejects a statement with an unknown function (the check can fail)', async () => {
    const step = compiled[0]!.full.find((s) => s.name === 'evaluations')!;
    const wrong = forFork(step.statements[0]!).replace('dateadd(', 'date_add_days(');
    expect(await analyzer.analyze(wrong)).toMatch(/Function not found: date_add_days/);
  });
});

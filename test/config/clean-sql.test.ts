// A `sql:` query or `where:` condition loses what follows its last token (semicolons, whitespace,
// comments), which would stand inside hindsight's parentheses; a `;` or `--` in a string stays
// (src/config/sql-text.ts).
import { describe, expect, it } from 'vitest';
import { cleanSql, parenthesisProblem } from '../../src/config/sql-text.js';

describe('cleanSql', () => {
  it.each([
    ['select 1;', 'select 1'],
    ['select 1;  -- production only', 'select 1'],
    ['select 1; /* checked */\n', 'select 1'],
    ['select 1;;  \n', 'select 1'],
    ['select 1;\n-- a\n-- b\n', 'select 1'],
    ["environment = 'production' -- production only", "environment = 'production'"],
    ['a = 1 -- first\n  and b = 2', 'a = 1 -- first\n  and b = 2'],
    ["select * from t where e not like '%;--%'", "select * from t where e not like '%;--%'"],
    ["select 'it''s;' as x;", "select 'it''s;' as x"],
    ["select 'a\\'b;' as x; -- c", "select 'a\\'b;' as x"],
    ['select "a;--b" from t;', 'select "a;--b" from t'],
    ['select `a;--b` from t;', 'select `a;--b` from t'],
    ["select 'not closed", "select 'not closed"],
    // a backslash escapes a quote in BigQuery's and Snowflake's strings, not in DuckDB's and Postgres's:
    // where that decides the end, only trailing whitespace and semicolons go
    ["replace(environment, '\\', '/') not like '%--%' and environment = 'production'", "replace(environment, '\\', '/') not like '%--%' and environment = 'production'"],
    ["select a from t where b <> '\\'\n  and c like '%--%';  ", "select a from t where b <> '\\'\n  and c like '%--%'"],
    // (read the way that closes every string: Postgres's '\\' is one, and the comment goes)
    ["region <> '\\' -- prod only", "region <> '\\'"],
    ["select 'it\\'s;' as x; -- c", "select 'it\\'s;' as x"],
    ["select $$a;--b$$ as x; -- c", 'select $$a;--b$$ as x'],
    ["select $tag$ it's ; -- $tag$ as x;", "select $tag$ it's ; -- $tag$ as x"],
    ['select hs$v2$ from t; -- c', 'select hs$v2$ from t'],
    ['-- only a comment', ''],
  ])('%j is %j', (sql, cleaned) => {
    expect(cleanSql(sql)).toBe(cleaned);
  });

  it('reads a header of many comments', () => {
    // (a regular expression of `;` and comments took 11.5 s for 29 comment lines and twice as long for
    // each one more: this one would not have ended)
    const sql = `-- the shop's predictions;\n${'/* a note */\n'.repeat(5000)}select 1;`;
    expect(cleanSql(sql)).toBe(sql.slice(0, -1));
  });
});

// hindsight puts the team's SQL in parentheses of its own: `where: "a = 1) or (b = 2"` ran as
// `where (a = 1) or (b = 2)`, every row, where a warehouse would have refused the condition alone.
describe('parenthesisProblem', () => {
  it.each([
    ["environment = 'production') or (1 = 1", 'has a `)` that closes no `(` of its own'],
    ["select * from t where x = 1) as a, (select 1 as y", 'has a `)` that closes no `(` of its own'],
    ['(a = 1 or b = 2', 'leaves a `(` unclosed'],
    ['select count(*) from (select 1', 'leaves a `(` unclosed'],
  ])('%j %s', (sql, problem) => {
    expect(parenthesisProblem(sql)).toBe(problem);
  });

  it.each([
    "environment = 'production'",
    '(a = 1 or b = 2) and c in (1, 2)',
    "note <> ')' and label = '('",
    'select "a)" from t -- (not closed\n',
    'select 1 /* ) */',
    'select $$)$$ as x',
    "replace(path, '\\', ')') = 'x'", // (closed in both readings of the backslash)
    "select 'not closed (",
  ])('%j is fine', (sql) => {
    expect(parenthesisProblem(sql)).toBeUndefined();
  });

  // Valid SQL of one warehouse whose parentheses another's tokens hide: each was refused ("leaves a
  // `(` unclosed" or "has a `)` that closes no `(`") though its warehouse runs it.
  it.each([
    // BigQuery: `#` comments, triple-quoted strings
    'select * from t\n# settled outcomes only (see the runbook\nwhere status = 1',
    "note != '''it's (Bob's x'''",
    'note != """it"s (Bob"s x"""',
    // Snowflake: `//` comments
    'select * from t\n// settled outcomes only (see the runbook\nwhere status = 1',
    'a = 1 // b)',
    // Postgres and DuckDB: nested block comments; a backslash escapes in E'' strings only
    'select 1 /* outer /* inner */ ( */ as x',
    'select 1 /* outer /* inner */ ) */ as x',
    "a = E'it\\'s' and b = '\\' and c = ')'",
  ])('%j (valid on one warehouse) is fine', (sql) => {
    expect(parenthesisProblem(sql)).toBeUndefined();
  });

  // Read for one warehouse, as it reads the text: another's comment is an operator there.
  it.each([
    ['a = 1 // 1) or (b = 2', 'duckdb', 'has a `)` that closes no `(` of its own'],
    ['a = 1 // 1) or (b = 2', 'snowflake', undefined],
    ['a = 1 # 0) or (b = 2', 'postgres', 'has a `)` that closes no `(` of its own'],
    ['a = 1 # 0) or (b = 2', 'bigquery', undefined],
    ["note = '''(''' and a = 1", 'bigquery', undefined],
    ['select 1 /* outer /* inner */ ( */ as x', 'duckdb', undefined],
  ] as const)('%j as %s reads it: %s', (sql, warehouse, problem) => {
    expect(parenthesisProblem(sql, warehouse)).toBe(problem);
  });

  it.each([
    // what no warehouse reads otherwise is still refused
    ['a = 1) -- (', 'has a `)` that closes no `(` of its own'],
    ["(a = 'x' /* ) */", 'leaves a `(` unclosed'],
    ['(a = 1 # 2', 'leaves a `(` unclosed'],
  ])('%j %s on every warehouse', (sql, problem) => {
    expect(parenthesisProblem(sql)).toBe(problem);
  });
});

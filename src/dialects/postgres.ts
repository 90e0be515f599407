import { defaultDialect, defineDialect, type Dialect } from './dialect.js';

// Postgres: date_trunc('week') is the ISO (Monday) week. Text ordering follows the database's
// locale unless told otherwise, so ties between segment values are ordered with the "C" collation.
export const postgres = defineDialect({
  name: 'postgres',
  types: { double: 'double precision', bigint: 'bigint', integer: 'integer', text: 'text', timestamp: 'timestamp', boolean: 'boolean' },
  // NAMEDATALEN - 1: a longer name is cut to its first 63 bytes, with a notice only
  maxIdentifierLength: 63,
  binaryCollate: (expr) => `${expr} collate "C"`,
  // The default frame with an ORDER BY is RANGE UNBOUNDED PRECEDING to CURRENT ROW, and Postgres
  // computes window functions in one pass only when their window clauses are identical: written out,
  // the frame split the rank() and count(*) of the exact ranking metrics into two passes over every
  // sliced row. Left implicit, the binary metric step took 9.86 s against 10.73 s at 1M
  // (docs/performance.md, the fourteenth session).
  peersFrame: '',
  // Exact sums as two bigint sums, of the whole units and of the fraction in 1e-15 units, which
  // Postgres accumulates in 128-bit integers: 3.5x faster than summing numeric(38, 15) in a
  // micro-benchmark (bench/prototypes/postgres-aggregate-micro.ts sums). Like femtoSum, the fraction is
  // scaled in double precision, so an addend can round to the neighbouring 1e-15 unit from where
  // numeric rounding would put it; the sum stays independent of row order. Addends must stay below
  // 9.2e18 in absolute value (numeric(38, 15) allowed 1e23).
  exactSum: (expr) => exactSumParts(expr, ''),
  exactSumOver: (expr, window) => exactSumParts(expr, ` over (${window})`),
  // Autovacuum never analyzes temporary tables, and analyzes a new table only later: without
  // statistics the planner guessed the regression metric step's joins at 1e5 predictions into plans
  // that took 114-135 s, against 4.1 s with every session table analyzed (docs/performance.md).
  // ANALYZE reads a sample of at most 30,000 rows, and runs inside the run's transaction.
  createTempTable(this: Dialect, name: string, select: string) {
    return [...defaultDialect.createTempTable.call(this, name, select), `analyze ${this.quote(name)}`];
  },
  // Without indexes, every statement that reads or replaces one monitor's rows of hindsight_metrics
  // (the write step's delete and update, the data-quality step's stored days) scans every monitor's
  // rows of every run, and an incremental run's lookups of stored evaluations by key or by time scan
  // the monitor's whole history (docs/performance.md, the twenty-third and twenty-fourth sessions).
  createIndex(this: Dialect, schema: string, table: string, name: string, columns: string[]) {
    const create = `create index if not exists ${this.quote(name)} on ${this.quote(schema)}.${this.quote(table)} (${columns.map((c) => this.quote(c)).join(', ')})`;
    // (an index lives in its table's schema)
    return [this.unlessExists('relation', `${this.quote(schema)}.${this.quote(name)}`, create)];
  },
  unlessExists(this: Dialect, kind: 'schema' | 'relation', name: string, statement: string) {
    const found = kind === 'schema' ? `to_regnamespace(${this.string(name)})` : `to_regclass(${this.string(name)})`;
    return doBlock(`begin\n    if ${found} is null then\n        ${statement.replace(/\n/g, '\n        ')};\n    end if;\nend`);
  },
  // (a 64-bit key from the name: hashtextextended, PostgreSQL 11 and later; pg_locks shows a key's
  // high and low 32 bits as classid and objid)
  sessionLock(this: Dialect, name: string) {
    const key = `hashtextextended(${this.string(name)}, 0)`;
    return {
      take: `select pg_try_advisory_lock(${key}) as taken`,
      release: `select pg_advisory_unlock(${key}) as released`,
      holder: `select 'server process ' || pid || ' (pg_stat_activity); if its run was killed, the session ends when its statement does, or at once with select pg_terminate_backend(' || pid || ')' as holder
from pg_locks where locktype = 'advisory' and objsubid = 1 and ((classid::bigint << 32) | objid::bigint) = ${key} and granted limit 1`,
    };
  },
  createTable(this: Dialect, relation: string, select: string) {
    return [...defaultDialect.createTable.call(this, relation, select), `analyze ${relation}`];
  },
  // Each row written costs the upkeep of the table's indexes (the evaluations table's key and time
  // indexes, models/write.sql) and leaves a dead version for VACUUM, so only the rows that differ
  // are written: at 1M predictions an incremental run re-evaluates 158 k rows of which 20 k are new
  // or changed. Rewritten whole, the key index's upkeep was 0.48 s of a 3.4 s run; written this way,
  // the evaluations' write took 0.33 s against 0.18 s without indexes (docs/performance.md, the
  // twenty-fourth session). The stored rows that no row of the run repeats go out first; then the
  // run's rows whose key has no stored row left go in. A key is one row (evaluationKey), so only
  // the delete compares whole rows: comparing them in both statements, insert first, the write step
  // took 0.53-0.58 s against 0.44-0.52 s at 1M (docs/performance.md, the twenty-sixth session).
  replaceRange(this: Dialect, table: string, rows: string, timeColumn: string, from: string, key: string[]) {
    if (!key.length) return defaultDialect.replaceRange.call(this, table, rows, timeColumn, from, key);
    const sameKey = (a: string, b: string) => [...key.map((k) => `${a}.${this.quote(k)} = ${b}.${this.quote(k)}`), `${a}.${timeColumn} >= ${from}`].join('\n            and ');
    return [
      `delete from ${table} as stored\nwhere stored.${timeColumn} >= ${from}\n    and not exists (\n        select 1 from ${rows} as computed\n        where ${sameKey('computed', 'stored')}\n            and row(computed.*) is not distinct from row(stored.*)\n    )`,
      `insert into ${table}\nselect * from ${rows} as computed\nwhere computed.${timeColumn} >= ${from}\n    and not exists (\n        select 1 from ${table} as stored\n        where ${sameKey('stored', 'computed')}\n    )`,
    ];
  },
  // A stored table a view depends on cannot be dropped, and a dropped table's grants go with it: a
  // BI tool's drill-down view on the evaluations table stopped every full refresh, and its grants
  // went at each one. So the staged table is renamed into place with the stored one's table-level
  // grants, unless the stored table has what a rename would lose or weaken: views on it, row-level
  // security (a role limited to some rows must not see all of them) or column privileges. Then it
  // keeps its identity and takes the staged rows (a copy, only then); and a configuration that
  // changes its columns fails, saying what to drop first.
  replaceTable(this: Dialect, table: string, staged: string, name: string) {
    const body = `declare
    stored regclass := to_regclass(${this.string(table)});
    staged regclass := ${this.string(staged)}::regclass;
    kept text;
    stored_columns text;
    staged_columns text;
    grants text[];
begin
    select concat_ws('; ',
            'views ' || (select string_agg(distinct r.ev_class::regclass::text, ', ')
                from pg_depend d join pg_rewrite r on r.oid = d.objid
                where d.refobjid = stored and d.classid = 'pg_rewrite'::regclass and r.ev_class <> stored),
            case when c.relrowsecurity or exists (select 1 from pg_policy where polrelid = stored) then 'row-level security' end,
            case when exists (select 1 from pg_attribute where attrelid = stored and attacl is not null) then 'column privileges' end)
        into kept
    from pg_class c
    where c.oid = stored;
    if kept <> '' then
        select string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' order by attnum) filter (where attrelid = stored),
            string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' order by attnum) filter (where attrelid = staged)
        into stored_columns, staged_columns
        from pg_attribute
        where attrelid in (stored, staged) and attnum > 0 and not attisdropped;
        if stored_columns is distinct from staged_columns then
            raise exception 'cannot replace % with a table of other columns and keep its %', stored, kept
                using detail = format('stored: %s; this run writes: %s', stored_columns, staged_columns),
                      hint = 'drop the views, disable row-level security and revoke the column privileges it lists, run again, then restore them';
        end if;
        truncate ${table};
        insert into ${table} select * from ${staged};
        drop table ${staged};
        analyze ${table};
    else
        select array_agg(format('grant %s on %s to %s%s', a.privilege_type, stored,
            case when a.grantee = 0 then 'public' else a.grantee::regrole::text end,
            case when a.is_grantable then ' with grant option' else '' end))
        into grants
        from pg_class c, aclexplode(c.relacl) a
        where c.oid = stored and a.grantee <> c.relowner;
        drop table if exists ${table};
        alter table ${staged} rename to ${name};
        for i in 1 .. coalesce(array_length(grants, 1), 0) loop
            execute grants[i];
        end loop;
    end if;
end`;
    return [doBlock(body)];
  },
});

/** An anonymous PL/pgSQL block, dollar-quoted with a tag its body does not hold (a schema may be named s$hindsight$x). */
function doBlock(body: string): string {
  let tag = 'hindsight';
  while (body.includes(`$${tag}$`)) tag += '_';
  return `do $${tag}$\n${body}\n$${tag}$`;
}

/** sum(whole units) + sum(1e-15 units of the fraction) / 1e15, as numeric (the product is exact). */
function exactSumParts(expr: string, over: string): string {
  const whole = `trunc(${expr})`;
  return `(sum(cast(${whole} as bigint))${over} + sum(cast(round((${expr} - ${whole}) * 1e15) as bigint))${over} * 0.000000000000001)`;
}

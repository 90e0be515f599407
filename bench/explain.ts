// What the warehouse says it scanned, statement by statement.
//
// An adapter wrapper for the "explain pass" of a step: every statement still runs (DuckDB with
// JSON profiling on, which is what EXPLAIN ANALYZE prints; Postgres as EXPLAIN (ANALYZE, FORMAT
// JSON) <statement>, which executes it), the scan nodes of its plan are summed per relation, and
// `commit` becomes `rollback` so that the pass leaves the database as it found it. The timed pass
// of the same step runs afterwards, unwrapped.
import { readFileSync, rmSync } from 'node:fs';
import type { Adapter } from '../src/adapters/index.js';

export interface StatementScan {
  /** The pipeline step the statement belongs to (from the session table it creates or reads). */
  step: string;
  statement: string;
  /** rows scanned per relation */
  scanned: Record<string, number>;
}

type Json = Record<string, unknown>;

/** DuckDB profile tree: TABLE_SCAN operators, rows scanned per table. */
function duckdbScans(node: Json, out: Record<string, number>): void {
  const type = String(node.operator_type ?? node.operator_name ?? '');
  if (type === 'TABLE_SCAN') {
    const info = (node.extra_info ?? {}) as Json;
    const table = String(info.Table ?? info.Function ?? 'table');
    const rows = Number(node.operator_rows_scanned ?? 0) || Number(node.operator_cardinality ?? 0);
    out[table] = (out[table] ?? 0) + rows;
  }
  for (const child of (node.children ?? []) as Json[]) duckdbScans(child, out);
}

const SCAN_NODES = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan', 'Tid Scan']);

/** Postgres plan tree: scan nodes, (rows returned + rows removed by filter) x loops per relation. */
function postgresScans(node: Json, out: Record<string, number>): void {
  if (SCAN_NODES.has(String(node['Node Type']))) {
    const rel = `${node.Schema ? `${node.Schema}.` : ''}${node['Relation Name']}`;
    const loops = Number(node['Actual Loops'] ?? 1);
    const rows = (Number(node['Actual Rows'] ?? 0) + Number(node['Rows Removed by Filter'] ?? 0) + Number(node['Rows Removed by Index Recheck'] ?? 0)) * loops;
    out[rel] = (out[rel] ?? 0) + Math.round(rows);
  }
  for (const child of (node.Plans ?? []) as Json[]) postgresScans(child, out);
}

/**
 * Which step a statement belongs to, from hindsight's session-table names (hs_<monitor>__<step>, or a
 * full refresh's staged "<schema>"."hs_<monitor>__evaluations_<run id>", src/compiler/compile.ts).
 */
function stepOf(sql: string, fallback: string): string {
  const created = /create\s+(?:or\s+replace\s+)?(?:temporary\s+)?table\s+(?:"[^"]+"\.)?"hs_[a-z0-9_]+?__([a-z_]+?)(?:_[0-9a-f]{8})?"/i.exec(sql);
  if (created) return created[1]!;
  if (/^\s*(insert|delete|drop|create table)/i.test(sql)) return 'write';
  if (/select min\(predicted_at\) as affected_from/i.test(sql)) return 'plan';
  if (/limit 0\s*$/i.test(sql)) return 'check_columns';
  const counted = /select count\(\*\) as n from (?:"[^"]+"\.)?"hs_[a-z0-9_]+?__([a-z_]+?)(?:_[0-9a-f]{8})?"/i.exec(sql);
  if (counted) return counted[1]!;
  return fallback;
}

const EXPLAINABLE = /^(\s*--[^\n]*\n)*\s*(with|select|insert|delete|update|create\s+(or\s+replace\s+)?(temporary\s+|unlogged\s+)?table\s+\S+\s+as)/i;

export function explainingAdapter(inner: Adapter, profileFile: string, fallbackStep = 'query'): { adapter: Adapter; scans: StatementScan[] } {
  const scans: StatementScan[] = [];
  let profiling = false;
  const duck = inner.type === 'duckdb';

  async function ensureProfiling(): Promise<void> {
    if (!duck || profiling) return;
    await inner.execute(`pragma enable_profiling = 'json'`);
    await inner.execute(`pragma profiling_output = '${profileFile}'`);
    profiling = true;
  }

  async function explained<T>(sql: string, run: () => Promise<T>): Promise<T> {
    const scanned: Record<string, number> = {};
    const record = () => {
      if (Object.keys(scanned).length) scans.push({ step: stepOf(sql, fallbackStep), statement: sql.slice(0, 120).replace(/\s+/g, ' '), scanned });
    };
    if (!EXPLAINABLE.test(sql)) return run();
    if (duck) {
      await ensureProfiling();
      rmSync(profileFile, { force: true });
      const result = await run();
      try {
        duckdbScans(JSON.parse(readFileSync(profileFile, 'utf8')) as Json, scanned);
      } catch {
        /* statement without a profile */
      }
      record();
      return result;
    }
    const rows = await inner.query(`explain (analyze, format json) ${sql}`);
    const plan = (rows[0]?.['QUERY PLAN'] as Json[] | undefined)?.[0];
    if (plan) postgresScans(plan.Plan as Json, scanned);
    record();
    // the statement ran inside EXPLAIN ANALYZE; queries that return rows are run once more for them
    return /^(\s*--[^\n]*\n)*\s*(with|select)/i.test(sql) ? run() : (Number(plan?.['Actual Rows'] ?? 0) as T);
  }

  const adapter: Adapter = {
    type: inner.type,
    dialect: inner.dialect,
    execute: (sql) => (/^\s*commit\s*$/i.test(sql) ? inner.execute('rollback') : explained(sql, () => inner.execute(sql))),
    query: (sql) => explained(sql, () => inner.query(sql)),
    columns: (select) => inner.columns(select),
    close: () => inner.close(),
  };
  return { adapter, scans };
}

/** Rows scanned per step and relation. */
export function scansByStep(scans: StatementScan[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const s of scans) {
    const step = (out[s.step] ??= {});
    for (const [rel, n] of Object.entries(s.scanned)) step[rel] = (step[rel] ?? 0) + n;
  }
  return out;
}

// Side by side: hindsight's pipeline as compiled from models/ and macros/ now, against prototype
// rewrites of some of its templates, on the same data, with the outputs compared row by row.
//
//   npx tsx bench/prototypes/compare.ts duckdb <warehouse.duckdb> [--variants a,b] [--repeat 2] [--explain step,step]
//   npx tsx bench/prototypes/compare.ts postgres <url> ... [--pgdata <server data dir>] [--no-analyze]
//
// A variant is a directory bench/prototypes/<name>/ holding copies of the templates it changes
// (models/..., macros/...); everything else comes from the real models/ and macros/ (or first from the
// variant named in its file `extends`, e.g. base_slices_keyed_rows: macros/slices.sql as it was before
// keyed_rows was removed, for the old templates that call it). Each variant's
// full-refresh pipeline (every table step; not the write) runs as of the benchmark's as-of on
// bench.predictions / bench.outcomes (bench/prototypes/generate-db.ts makes a DuckDB file), and its
// evaluations, data-quality and metric rows are compared with the current pipeline's.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAdapter, type Adapter } from '../../src/adapters/index.js';
import { compileMonitor } from '../../src/compiler/compile.js';
import { sessionTable } from '../../src/compiler/names.js';
import { dispatching } from '../../src/compiler/environment.js';
import { AS_OF_FULL } from '../generate.js';
import { benchMonitorFromFlags, flagValue } from './monitor-flags.js';
import { variantEnvironment } from './variant-environment.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const [w, where] = process.argv.slice(2) as ['duckdb' | 'postgres', string];
const repeat = Number(flagValue('repeat') ?? 1);
const only = flagValue('variants')?.split(',');
const explainSteps = (flagValue('explain') ?? '').split(',');
// --no-analyze: leave out the ANALYZE that the Postgres dialect runs after creating each table
const noAnalyze = process.argv.includes('--no-analyze');

function output() {
  if (w === 'duckdb') return { type: 'duckdb' as const, path: where };
  const u = new URL(where);
  return { type: 'postgres' as const, host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), dbname: u.pathname.slice(1) };
}

const adapter: Adapter = await openAdapter(output() as never);
const dialect = adapter.dialect;
const d = dispatching(dialect);
// --score-bins N, --type regression: which benchmark monitor (monitor-flags.ts)
const monitor = benchMonitorFromFlags();
const run = { asOf: AS_OF_FULL, runId: 'proto', computedAt: AS_OF_FULL };
// every step as a session table, as the variants build them (a full refresh on DuckDB or Postgres would
// stage its evaluations in the schema: compiler/names.ts, stagedEvaluations)
const sessionTablesOnly = { ...dialect, capabilities: { ...dialect.capabilities, transactionalDdl: false } };
const current = compileMonitor({ monitor, schema: 'hindsight', dialect: sessionTablesOnly, run }).filter((s) => s.kind === 'table');

/**
 * A variant's steps: compileMonitor itself, with templates looked up in the variant's directory first
 * (so the variant gets exactly the context, step list and statements the compiler gives; a copy of
 * the context here had fallen behind it once).
 */
function variantSteps(dir: string) {
  return compileMonitor({ monitor, schema: 'hindsight', dialect: sessionTablesOnly, run, environment: variantEnvironment(dir) }).filter((s) => s.kind === 'table');
}

const variants: [string, typeof current][] = [['current', current]];
for (const name of readdirSync(HERE).sort()) {
  const dir = join(HERE, name);
  if (!statSync(dir).isDirectory() || !['models', 'macros'].some((d) => existsSync(join(dir, d))) || (only && !only.includes(name))) continue;
  variants.push([name, variantSteps(dir)]);
}

/** CPU seconds of this process (with DuckDB, the warehouse's threads); wall seconds for Postgres. */
// Postgres: the server's CPU (--pgdata <data dir> of the server), else wall time.
const pgdata = flagValue('pgdata');
const { postgresCpuSeconds } = await import('../postgres.js');
const time = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  const c = process.cpuUsage();
  const s0 = pgdata ? postgresCpuSeconds(pgdata) : 0;
  await f();
  const u = process.cpuUsage(c);
  if (w === 'duckdb') return (u.user + u.system) / 1e6;
  return pgdata ? postgresCpuSeconds(pgdata) - s0 : (performance.now() - t) / 1000;
};

const OUTPUTS = ['evaluations', 'data_quality', 'metrics'];
const timings: Record<string, Record<string, number>> = {};
for (let rep = 0; rep < repeat; rep++) {
  for (const [name, steps] of variants) {
    const t = (timings[name] ??= {});
    for (const step of steps) {
      if (explainSteps.includes(step.name) && rep === 0) {
        const r = await adapter.query(w === 'duckdb' ? `explain analyze ${step.sql}` : `explain (analyze, buffers, costs off) ${step.sql}`);
        process.stderr.write(`==== ${name} ${step.name}\n${w === 'duckdb' ? String(r[0]?.explain_value) : r.map((x) => x['QUERY PLAN']).join('\n')}\n`);
      }
      const s = await time(async () => {
        for (const st of step.statements) if (!(noAnalyze && st.startsWith('analyze '))) await adapter.execute(st);
      });
      t[step.name] = Math.min(t[step.name] ?? Infinity, s);
    }
    for (const o of OUTPUTS) for (const st of dialect.createTempTable(`proto_${name}_${o}`, `select * from ${d.quote(sessionTable(dialect, monitor.name, o))}`)) await adapter.execute(st);
  }
}

const keyOf: Record<string, string> = {
  // a forecast is identified by its series, forecast time and target time (docs/semantics.md §5d)
  evaluations: monitor.type === 'forecast'
    ? `concat_ws('|', cast(series_id as ${d.types.text}), cast(forecast_time as ${d.types.text}), cast(target_time as ${d.types.text}))`
    : `cast(prediction_id as ${d.types.text})`,
  data_quality: `concat_ws('|', granularity, cast(window_start as ${d.types.text}), coalesce(model_version, '~'), metric)`,
  metrics: `concat_ws('|', granularity, cast(window_start as ${d.types.text}), coalesce(model_version, '~'), coalesce(segment, '~'), coalesce(segment_value, '~'), metric, coalesce(qualifier, '~'))`,
};
// the evaluation column compared: the prediction's value (a class score for the multiclass monitor, nDCG@10 for
// the recommendation monitor)
const evaluatedValue: Record<string, string> = { regression: 'prediction', forecast: 'prediction', multiclass_classification: 'p_high', recommendation: 'ndcg_at_10' };
// the evaluation's outcome compared (a request's count of relevant items for the recommendation monitor)
const label = monitor.type === 'forecast' ? 'actual' : monitor.type === 'recommendation' ? 'relevant_items' : 'label';
const valueOf: Record<string, string> = { evaluations: evaluatedValue[monitor.type] ?? 'score', data_quality: 'value', metrics: 'value' };

async function compare(name: string, o: string): Promise<string> {
  const k = (t: string) => `select *, ${keyOf[o]} as k from ${t}`;
  const v = valueOf[o];
  const extra = o === 'evaluations'
    ? `sum(case when a.k is not null and b.k is not null and (a.${label} is distinct from b.${label} or a.label_status <> b.label_status or a.observed_at is distinct from b.observed_at) then 1 else 0 end)`
    : `sum(case when a.k is not null and b.k is not null and a.sample_size is distinct from b.sample_size then 1 else 0 end)`;
  const r = await adapter.query(`
select count(*) as n,
    sum(case when a.k is null or b.k is null then 1 else 0 end) as unmatched,
    sum(case when a.k is null or b.k is null then 0
             when a.${v} is null and b.${v} is null then 0
             when a.${v} is null or b.${v} is null then 1
             when abs(a.${v} - b.${v}) > 1e-12 * greatest(1, abs(b.${v})) then 1 else 0 end) as different,
    max(case when a.${v} is not null and b.${v} is not null then abs(a.${v} - b.${v}) / greatest(1, abs(b.${v})) end) as max_rel_diff,
    ${extra} as other_different
from (${k(`proto_current_${o}`)}) as a full outer join (${k(`proto_${name}_${o}`)}) as b on a.k = b.k`);
  const x = r[0]!;
  const ok = Number(x.unmatched) === 0 && Number(x.different) === 0 && Number(x.other_different) === 0;
  return `${o}: ${ok ? 'identical' : 'DIFFERENT'} (${x.n} rows, ${x.unmatched} unmatched, ${x.different} values differ, max rel diff ${Number(x.max_rel_diff ?? 0).toExponential(1)}, ${x.other_different} other columns differ)`;
}

const total = (name: string) => Object.values(timings[name]!).reduce((a, b) => a + b, 0);
const report: Record<string, unknown> = {};
for (const [name] of variants) {
  const t = timings[name]!;
  // one at a time: a pg client runs one query at a time (queueing them is deprecated in pg 8)
  const checks: string[] = [];
  if (name !== 'current') for (const o of OUTPUTS) checks.push(await compare(name, o));
  console.log(`${name}: pipeline ${total(name).toFixed(2)} ${w === 'duckdb' || pgdata ? 'cpu ' : ''}s${name === 'current' ? '' : ` (${(total(name) / total('current')).toFixed(2)}x of current)`}`);
  console.log(`  steps: ${Object.entries(t).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  for (const c of checks) console.log(`  ${c}`);
  report[name] = { pipelineSeconds: total(name), steps: t, checks };
}
if (flagValue('json')) (await import('node:fs')).writeFileSync(flagValue('json')!, JSON.stringify({ warehouse: w, repeat, report }, null, 2) + '\n');
await adapter.close();

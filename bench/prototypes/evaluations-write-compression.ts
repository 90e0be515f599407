// What writing the evaluations as a persistent DuckDB table costs, under DuckDB's compression settings:
//   npx tsx bench/prototypes/evaluations-write-compression.ts <copy of a benchmark .duckdb>
// Builds the full-refresh steps up to the evaluations as session tables, then copies that table into a
// persistent one (create, commit, checkpoint) per setting, alternating, twice; CPU and wall seconds, and
// which compressions DuckDB chose per column.
import { openAdapter } from '../../src/adapters/index.js';
import { compileMonitor } from '../../src/compiler/compile.js';
import { AS_OF_FULL } from '../generate.js';
import { benchMonitorFromFlags } from './monitor-flags.js';

const adapter = await openAdapter({ type: 'duckdb', path: process.argv[2] } as never);
const dialect = adapter.dialect;
const monitor = benchMonitorFromFlags();
const run = { asOf: AS_OF_FULL, runId: 'proto', computedAt: AS_OF_FULL };
const sessionTablesOnly = { ...dialect, capabilities: { ...dialect.capabilities, transactionalDdl: false } };
const steps = compileMonitor({ monitor, schema: 'hindsight', dialect: sessionTablesOnly, run }).filter((s) => s.kind === 'table');
for (const step of steps) {
  for (const st of step.statements) await adapter.execute(st);
  if (step.name === 'evaluations') break;
}
await adapter.execute('create schema if not exists hindsight');
const measure = async (f: () => Promise<unknown>) => {
  const c = process.cpuUsage();
  const t = performance.now();
  await f();
  const u = process.cpuUsage(c);
  return `${((u.user + u.system) / 1e6).toFixed(2)} cpu s, ${((performance.now() - t) / 1000).toFixed(2)} wall s`;
};
const variants: [string, string[]][] = [
  ['default', []],
  ['uncompressed', ["set force_compression = 'uncompressed'"]],
  ['no fsst', ["set disabled_compression_methods = 'fsst'"]],
  ['no alp', ["set disabled_compression_methods = 'alp,alprd'"]],
  ['no fsst,alp,alprd', ["set disabled_compression_methods = 'fsst,alp,alprd'"]],
];
for (let round = 0; round < 2; round++) {
  for (const [name, pre] of variants) {
    await adapter.execute('reset force_compression');
    await adapter.execute('reset disabled_compression_methods');
    for (const p of pre) await adapter.execute(p);
    await adapter.execute('drop table if exists hindsight.ev_probe');
    const r = await measure(async () => {
      await adapter.execute('begin');
      await adapter.execute('create table hindsight.ev_probe as select * from "hs_bench__evaluations"');
      await adapter.execute('commit');
      await adapter.execute('checkpoint');
    });
    const segments = await adapter.query(`select count(*)::int as n from pragma_storage_info('hindsight.ev_probe')`);
    const chosen = round > 0 ? [] : await adapter.query(`select column_name, string_agg(distinct compression, ',') as c from pragma_storage_info('hindsight.ev_probe') group by all order by all`);
    console.log(round, name, r, 'segments', segments[0]?.n, chosen.map((x) => `${x.column_name}:${x.c}`).join(' '));
  }
}
await adapter.execute('drop table if exists hindsight.ev_probe');
await adapter.close();

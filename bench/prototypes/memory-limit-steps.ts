// Runs the benchmark monitor's full-refresh steps on a benchmark DuckDB file under a memory_limit, and
// says which step runs out of memory: exact ranking (score bins 0) or approximate_ranking (score bins N).
//   npx tsx bench/prototypes/memory-limit-steps.ts /tmp/bench-1e7.duckdb 300MB 1000
// Optional 4th argument: one statement to run first (e.g. "set threads = 1").
// --type regression | multiclass | forecast: that benchmark monitor instead (monitor-flags.ts).
import { openAdapter } from '../../src/adapters/index.js';
import { compileMonitor, compileSetup } from '../../src/compiler/compile.js';
import { normalizeMonitor } from '../../src/config/monitor.js';
import { monitorSchema } from '../../src/config/schema.js';
import { AS_OF_FULL } from '../generate.js';
import { monitorConfig } from '../project.js';
import { benchMonitorFromFlags, flagValue } from './monitor-flags.js';
const [path, limit, bins, extra] = process.argv.slice(2).filter((a, i, all) => a !== '--type' && all[i - 1] !== '--type');
const adapter = await openAdapter({ type: 'duckdb', path, memory_limit: limit } as never);
if (extra) await adapter.execute(extra);
const monitor = flagValue('type') ? benchMonitorFromFlags() : normalizeMonitor(monitorSchema.parse(monitorConfig(undefined, Number(bins) || undefined)) as never, 'bench.yml', {});
const options = { monitor, schema: 'hindsight', dialect: adapter.dialect, run: { asOf: AS_OF_FULL, runId: 'm', computedAt: AS_OF_FULL } };
// the schema: a full refresh builds its evaluations table there (compiler/names.ts, stagedEvaluations)
for (const s of compileSetup(options).statements) await adapter.execute(s);
const steps = compileMonitor(options).filter((s) => s.kind === 'table');
for (const s of steps) {
  const t = performance.now();
  try { for (const st of s.statements) await adapter.execute(st); console.log(s.name, ((performance.now() - t) / 1000).toFixed(1)); }
  catch (e) { console.log(s.name, 'FAILED', String(e).slice(0, 120)); break; }
}
await adapter.close();

// Prints one compiled step of the benchmark monitor (full refresh, DuckDB unless --postgres):
//   npx tsx bench/prototypes/print-step.ts metrics [--score-bins 1000] [--postgres]
import { compileMonitor } from '../../src/compiler/compile.js';
import { monitorSchema } from '../../src/config/schema.js';
import { normalizeMonitor } from '../../src/config/monitor.js';
import { dialects } from '../../src/dialects/index.js';
import { AS_OF_FULL } from '../generate.js';
import { monitorConfig } from '../project.js';

const flag = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const bins = flag('score-bins');
const monitor = normalizeMonitor(monitorSchema.parse(monitorConfig(undefined, bins ? Number(bins) : undefined)) as never, 'bench.yml', {});
const dialect = dialects[process.argv.includes('--postgres') ? 'postgres' : 'duckdb']!;
const steps = compileMonitor({ monitor, schema: 'hindsight', dialect, run: { asOf: AS_OF_FULL, runId: 'print', computedAt: AS_OF_FULL } });
process.stdout.write(steps.find((s) => s.name === process.argv[2])!.sql);

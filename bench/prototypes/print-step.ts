// Prints one compiled step of the benchmark monitor (full refresh, DuckDB unless --postgres):
//   npx tsx bench/prototypes/print-step.ts metrics [--score-bins 1000 | --type regression] [--postgres] [--variant <name>]
// --variant renders the step as the compare.ts variant bench/prototypes/<name>/ (variant-environment.ts).
import { join } from 'node:path';
import { compileMonitor } from '../../src/compiler/compile.js';
import { dialects } from '../../src/dialects/index.js';
import { AS_OF_FULL } from '../generate.js';
import { benchMonitorFromFlags, flagValue } from './monitor-flags.js';
import { variantEnvironment } from './variant-environment.js';

const monitor = benchMonitorFromFlags();
const dialect = dialects[process.argv.includes('--postgres') ? 'postgres' : 'duckdb']!;
const variant = flagValue('variant');
const environment = variant ? variantEnvironment(join(import.meta.dirname, variant)) : undefined;
const steps = compileMonitor({ monitor, schema: 'hindsight', dialect, run: { asOf: AS_OF_FULL, runId: 'print', computedAt: AS_OF_FULL }, environment });
process.stdout.write(steps.find((s) => s.name === process.argv[2])!.sql);

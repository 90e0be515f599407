// Prints one compiled step of the benchmark monitor (full refresh, DuckDB unless --postgres):
//   npx tsx bench/prototypes/print-step.ts metrics [--score-bins 1000 | --type regression] [--postgres] [--variant <name>]
// --variant renders the step from bench/prototypes/<name>/ first (a compare.ts variant), then models/ and macros/.
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { compileMonitor } from '../../src/compiler/compile.js';
import { createEnvironment, PACKAGE_ROOT } from '../../src/compiler/environment.js';
import { dialects } from '../../src/dialects/index.js';
import { AS_OF_FULL } from '../generate.js';
import { benchMonitorFromFlags, flagValue } from './monitor-flags.js';

const monitor = benchMonitorFromFlags();
const dialect = dialects[process.argv.includes('--postgres') ? 'postgres' : 'duckdb']!;
const variant = flagValue('variant');
const environment = variant
  ? createEnvironment(new nunjucks.FileSystemLoader([join(import.meta.dirname, variant), PACKAGE_ROOT], { noCache: true }))
  : undefined;
const steps = compileMonitor({ monitor, schema: 'hindsight', dialect, run: { asOf: AS_OF_FULL, runId: 'print', computedAt: AS_OF_FULL }, environment });
process.stdout.write(steps.find((s) => s.name === process.argv[2])!.sql);

// The first and the second compile of the benchmark monitor in a new process: the first compiles the
// templates it renders (from dist/templates.cjs when it is current, else from their sources), the
// second finds them compiled. Run it with the bundle and with it moved aside to compare:
//   npx tsx bench/prototypes/first-compile.ts
import { compileMonitor } from '../../src/compiler/compile.js';
import { templateLoader } from '../../src/compiler/environment.js';
import { dialectFor } from '../../src/dialects/index.js';
import { AS_OF_FULL } from '../generate.js';
import { benchMonitorFromFlags } from './monitor-flags.js';

const monitor = benchMonitorFromFlags();
const run = { asOf: AS_OF_FULL, runId: 'first', computedAt: AS_OF_FULL };
const timed = () => {
  const c = process.cpuUsage();
  const t = performance.now();
  compileMonitor({ monitor, schema: 'hindsight', dialect: dialectFor('duckdb'), run });
  const u = process.cpuUsage(c);
  return `${(performance.now() - t).toFixed(1)} ms (${((u.user + u.system) / 1000).toFixed(1)} ms of CPU)`;
};
const first = timed();
const second = timed();
const loader = templateLoader();
console.log(`first compile ${first}, second ${second}; templates precompiled ${loader.precompiledUsed.size}, from source ${loader.fromSource.size}`);

// Time of the whitespace tidy in compile.ts (regex) against a split/trimEnd version, for 1,000 monitors.
import nunjucks from 'nunjucks';
import { templateEnvironment, dispatching } from '../../src/compiler/environment.js';
import { compileMonitor } from '../../src/compiler/compile.js';
import { normalizeMonitor } from '../../src/config/monitor.js';
import { monitorSchema } from '../../src/config/schema.js';
import { dialectFor } from '../../src/dialects/index.js';
import { monitorConfig } from '../project.js';
const m = normalizeMonitor(monitorSchema.parse(monitorConfig()) as never, 'x', {});
const asOf = new Date('2026-04-05T00:00:00Z');
const raws: string[] = [];
// raw renders (before tidy): re-render through the environment with the same templates
const steps = compileMonitor({ monitor: m, schema: 'h', dialect: dialectFor('duckdb'), run: { asOf, runId: 'x', computedAt: asOf } });
for (const s of steps) raws.push(s.sql.replace(/\n/g, '   \n\n\n'));
let t = performance.now();
for (let i = 0; i < 1000; i++) for (const r of raws) r.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n');
console.log('regex tidy x1000 monitors', ((performance.now() - t) / 1000).toFixed(2));
t = performance.now();
for (let i = 0; i < 1000; i++) for (const r of raws) r.split('\n').map((l) => l.trimEnd()).join('\n').replace(/\n{3,}/g, '\n\n');
console.log('split/trimEnd tidy x1000 monitors', ((performance.now() - t) / 1000).toFixed(2));
void nunjucks; void templateEnvironment; void dispatching;

// CPU profile of loading and compiling 1,000 monitors:
//   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/cpuprof bench/prototypes/compile-profile.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { monitorConfig, writeProject } from '../project.js';
import { loadProject } from '../../src/config/load.js';
import { compileMonitor } from '../../src/compiler/compile.js';
import { dialectFor } from '../../src/dialects/index.js';
const dir = mkdtempSync(join(tmpdir(), 'hs-prof-'));
writeProject(dir, { type: 'duckdb', path: ':memory:' }, []);
for (let f = 0; f < 10; f++) writeFileSync(join(dir, 'monitors', `m${f}.yml`), stringify({ monitors: Array.from({ length: 100 }, (_, i) => monitorConfig(`m_${f}_${i}`)) }));
rmSync(join(dir, 'monitors', 'bench.yml'), { force: true });
let t = performance.now();
const p = loadProject(dir);
console.log('load', (performance.now() - t) / 1000);
t = performance.now();
const asOf = new Date('2026-04-05T00:00:00Z');
for (const m of p.monitors) compileMonitor({ monitor: m, schema: 'h', dialect: dialectFor('duckdb'), run: { asOf, runId: 'x', computedAt: asOf } });
console.log('render', (performance.now() - t) / 1000);

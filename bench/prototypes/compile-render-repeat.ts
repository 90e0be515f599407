// Rendering 1,000 benchmark monitors for DuckDB, five times in one process (the first pass also
// compiles the templates), with the fastest pass reported: run it in two checkouts one after the
// other to compare template or compiler changes without the noise of a single cold pass.
//   npx tsx bench/prototypes/compile-render-repeat.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { compileMonitor } from '../../src/compiler/compile.js';
import { loadProject } from '../../src/config/load.js';
import { dialectFor } from '../../src/dialects/index.js';
import { monitorConfig, writeProject } from '../project.js';

const dir = mkdtempSync(join(tmpdir(), 'hs-render-'));
writeProject(dir, { type: 'duckdb', path: ':memory:' }, []);
for (let f = 0; f < 10; f++) writeFileSync(join(dir, 'monitors', `m${f}.yml`), stringify({ monitors: Array.from({ length: 100 }, (_, i) => monitorConfig(`m_${f}_${i}`)) }));
rmSync(join(dir, 'monitors', 'bench.yml'), { force: true });
const loads: number[] = [];
const renders: number[] = [];
for (let pass = 0; pass < 5; pass++) {
  let t = performance.now();
  const project = loadProject(dir);
  loads.push((performance.now() - t) / 1000);
  t = performance.now();
  const asOf = new Date('2026-04-05T00:00:00Z');
  for (const monitor of project.monitors) compileMonitor({ monitor, schema: 'hindsight', dialect: dialectFor('duckdb'), run: { asOf, runId: 'x', computedAt: asOf } });
  renders.push((performance.now() - t) / 1000);
}
const f = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
console.log(`load   ${f(loads)}  (min ${Math.min(...loads).toFixed(2)} s)`);
console.log(`render ${f(renders)}  (min ${Math.min(...renders).toFixed(2)} s)`);
rmSync(dir, { recursive: true, force: true });

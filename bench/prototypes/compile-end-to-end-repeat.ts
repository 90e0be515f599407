// `hindsight compile` of 1,000 benchmark monitors, four times in one process (the first into an empty
// target/, the others over the files it wrote): run it in two checkouts one after the other to compare
// how compile writes target/compiled/.
//   npx tsx bench/prototypes/compile-end-to-end-repeat.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import * as commands from '../../src/cli/commands.js';
import { monitorConfig, writeProject } from '../project.js';

const dir = mkdtempSync(join(tmpdir(), 'hs-compile-'));
writeProject(dir, { type: 'duckdb', path: ':memory:' }, []);
for (let f = 0; f < 10; f++) writeFileSync(join(dir, 'monitors', `m${f}.yml`), stringify({ monitors: Array.from({ length: 100 }, (_, i) => monitorConfig(`m_${f}_${i}`)) }));
rmSync(join(dir, 'monitors', 'bench.yml'), { force: true });
const seconds: number[] = [];
for (let pass = 0; pass < 4; pass++) {
  const t = performance.now();
  await commands.compile({ projectDir: dir, asOf: '2026-04-05' });
  seconds.push((performance.now() - t) / 1000);
}
console.log(`hindsight compile ${seconds.map((s) => s.toFixed(2)).join(' ')} s (first into an empty target/)`);
rmSync(dir, { recursive: true, force: true });

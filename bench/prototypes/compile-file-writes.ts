// What writing `hindsight compile`'s files costs on this disk, without hindsight: 1,000 directories
// of 7 files of 4.5 kB (a compiled monitor), created fresh and then rewritten.
//   npx tsx bench/prototypes/compile-file-writes.ts
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'compile-writes-'));
const sql = 'x'.repeat(4500);
for (const pass of ['new files', 'rewritten files']) {
  const t = performance.now();
  for (let i = 0; i < 1000; i++) {
    const dir = join(root, `m${i}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (let j = 0; j < 7; j++) writeFileSync(join(dir, `${j}.sql`), sql);
  }
  console.log(`${pass}: ${((performance.now() - t) / 1000).toFixed(2)} s`);
}
rmSync(root, { recursive: true, force: true });

// Golden compiled SQL: the shop example compiled for every dialect must match the reviewed files
// under test/golden/shop/<dialect>/ byte for byte. After an intended change, regenerate them with
// `UPDATE_GOLDEN=1 npx vitest run test/golden` and review the diff like code.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { compileMonitor, type Step } from '../../src/compiler/compile.js';
import { dialects } from '../../src/dialects/index.js';

const project = loadProject('examples/shop');
const asOf = new Date('2026-11-21T00:00:00Z');
const run = { asOf, runId: '00000000-0000-0000-0000-000000000000', computedAt: asOf };
const incremental = {
  ...run,
  incremental: {
    recomputeFrom: { day: new Date('2026-11-06T00:00:00Z'), week: new Date('2026-11-02T00:00:00Z') },
    evaluateFrom: new Date('2026-11-02T00:00:00Z'),
    outcomesFrom: new Date('2026-10-19T00:00:00Z'),
  },
};

function compileAll(dialect: string, context = run): Step[] {
  return project.monitors.flatMap((monitor) =>
    compileMonitor({ monitor, schema: project.config.schema, dialect: dialects[dialect]!, run: context }),
  );
}

describe.each(Object.keys(dialects))('golden SQL for %s', (dialect) => {
  for (const [variant, context] of [['full_refresh', run], ['incremental', incremental]] as const) {
    it(`matches test/golden/shop/${dialect}/${variant}`, () => {
      const dir = join('test/golden/shop', dialect, variant);
      const steps = compileAll(dialect, context);
      if (process.env.UPDATE_GOLDEN) {
        mkdirSync(dir, { recursive: true });
        for (const s of steps) writeFileSync(join(dir, `${s.name}.sql`), s.sql);
      }
      expect(existsSync(dir), `${dir} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(steps.map((s) => `${s.name}.sql`).sort());
      for (const s of steps) expect(s.sql, `${dir}/${s.name}.sql`).toBe(readFileSync(join(dir, `${s.name}.sql`), 'utf8'));
    });
  }

  it('is byte-identical when compiled twice', () => {
    expect(compileAll(dialect).map((s) => s.sql)).toEqual(compileAll(dialect).map((s) => s.sql));
  });
});

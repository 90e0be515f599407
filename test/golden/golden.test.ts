// Golden compiled SQL: each example below compiled for every dialect must match the reviewed files
// under test/golden/<example>/<dialect>/ byte for byte. After an intended change, regenerate them
// with `UPDATE_GOLDEN=1 npx vitest run test/golden` and review the diff like code.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import type { Monitor } from '../../src/config/monitor.js';
import { compileMonitor, incrementalRange, type RunContext, type Step } from '../../src/compiler/compile.js';
import { dialects } from '../../src/dialects/index.js';

// One example per problem type.
const EXAMPLES = ['shop', 'styles', 'resale', 'demand', 'carousel'];
const asOf = new Date('2026-11-21T00:00:00Z');
const run: RunContext = { asOf, runId: '00000000-0000-0000-0000-000000000000', computedAt: asOf };

/**
 * An incremental run of `monitor` as the runner plans it, a day after the previous run, when new data
 * changed scores or labels from Friday 2026-11-13 on (so that day and week windows start apart).
 */
function incremental(monitor: Monitor): RunContext {
  return { ...run, incremental: incrementalRange(monitor, new Date('2026-11-13T00:00:00Z'), new Date('2026-11-20T00:00:00Z')) };
}

describe.each(EXAMPLES)('golden SQL of examples/%s', (example) => {
  const project = loadProject(join('examples', example));
  // A project with one monitor has <step>.sql files, one with several <monitor>/<step>.sql.
  const compileAll = (dialect: string, variant: 'full_refresh' | 'incremental'): (Step & { file: string })[] =>
    project.monitors.flatMap((monitor) =>
      compileMonitor({ monitor, schema: project.config.schema, dialect: dialects[dialect]!, run: variant === 'incremental' ? incremental(monitor) : run })
        .map((s) => ({ ...s, file: project.monitors.length > 1 ? join(monitor.name, `${s.name}.sql`) : `${s.name}.sql` })),
    );

  describe.each(Object.keys(dialects))('for %s', (dialect) => {
    for (const variant of ['full_refresh', 'incremental'] as const) {
      it(`matches test/golden/${example}/${dialect}/${variant}`, () => {
        const dir = join('test/golden', example, dialect, variant);
        const steps = compileAll(dialect, variant);
        if (process.env.UPDATE_GOLDEN) {
          for (const s of steps) {
            mkdirSync(dirname(join(dir, s.file)), { recursive: true });
            writeFileSync(join(dir, s.file), s.sql);
          }
        }
        expect(existsSync(dir), `${dir} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
        const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.sql'));
        expect(files.sort()).toEqual(steps.map((s) => s.file).sort());
        for (const s of steps) expect(s.sql, `${dir}/${s.file}`).toBe(readFileSync(join(dir, s.file), 'utf8'));
      });
    }

    it('drops each session table after its last reader, and none earlier', () => {
      for (const monitor of project.monitors) {
        const d = dialects[dialect]!;
        const steps = compileMonitor({ monitor, schema: project.config.schema, dialect: d, run });
        const readers = (relation: string) => steps.flatMap((s, i) => (s.relation !== relation && s.sql.includes(relation) ? [i] : []));
        const droppedAt = new Map(steps.flatMap((s, i) => (s.dropAfter ?? []).map((r): [string, number] => [r, i])));
        for (const [i, step] of steps.entries()) {
          if (!step.relation) continue;
          const last = Math.max(i, ...readers(step.relation));
          if (steps[last]!.kind === 'table') expect(droppedAt.get(step.relation), `${monitor.name}: ${step.relation}`).toBe(last);
          else expect(droppedAt.has(step.relation), `${monitor.name}: ${step.relation} is read by the write`).toBe(false);
        }
        // the metric step starts with only the evaluations and data quality (and a forecast's MASE scales) left
        const live = steps.slice(0, steps.findIndex((s) => s.name === 'metrics')).filter((s) => s.relation && !droppedAt.has(s.relation)).map((s) => s.name);
        expect(live.filter((n) => !['evaluations', 'data_quality', 'mase_scales', 'forecast_rows', 'list_items', 'outcome_events'].includes(n)), monitor.name).toEqual([]);
      }
    });

    it('is byte-identical when compiled twice', () => {
      expect(compileAll(dialect, 'full_refresh').map((s) => s.sql)).toEqual(compileAll(dialect, 'full_refresh').map((s) => s.sql));
    });
  });
});

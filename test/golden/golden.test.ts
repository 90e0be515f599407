// Golden compiled SQL: each example below compiled for every dialect must match the reviewed files
// under test/golden/<example>/<dialect>/ byte for byte. After an intended change, regenerate them
// with `UPDATE_GOLDEN=1 npx vitest run test/golden` and review the diff like code.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type nunjucks from 'nunjucks';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import type { Monitor } from '../../src/config/monitor.js';
import { compileMonitor, type RunContext, type Step } from '../../src/compiler/compile.js';
import { incrementalRange } from '../../src/compiler/incremental-range.js';
import { createEnvironment, PACKAGE_ROOT, TemplateLoader } from '../../src/compiler/environment.js';
import { loadPrecompiled, precompiledModule } from '../../src/compiler/precompiled-templates.js';
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

// The templates render the same SQL whether nunjucks compiles them from their sources or runs the code
// `npm run build` compiled them to (src/compiler/precompiled-templates.ts), so every golden file is
// checked both ways, and once more with a bundle built from a copy of the templates in which one was
// edited afterwards: the loader must see that entry is stale and render that template from its source.
const scratch = mkdtempSync(join(tmpdir(), 'hindsight-precompiled-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
function bundleLoader(root: string, file: string): TemplateLoader {
  writeFileSync(join(scratch, file), precompiledModule(root));
  return new TemplateLoader(PACKAGE_ROOT, loadPrecompiled(join(scratch, file)));
}
const STALE_TEMPLATE = 'models/evaluations.sql';
const staleRoot = join(scratch, 'stale-root');
for (const dir of ['models', 'macros']) cpSync(join(PACKAGE_ROOT, dir), join(staleRoot, dir), { recursive: true });
writeFileSync(join(staleRoot, STALE_TEMPLATE), `${readFileSync(join(staleRoot, STALE_TEMPLATE), 'utf8')}-- an edit made after the build\n`);
const loaders = {
  sources: new TemplateLoader(PACKAGE_ROOT, undefined),
  precompiled: bundleLoader(PACKAGE_ROOT, 'templates.cjs'),
  'a stale bundle': bundleLoader(staleRoot, 'stale.cjs'),
};
const environments: Record<keyof typeof loaders, nunjucks.Environment> = {
  sources: createEnvironment(loaders.sources),
  precompiled: createEnvironment(loaders.precompiled),
  'a stale bundle': createEnvironment(loaders['a stale bundle']),
};

describe.each(EXAMPLES)('golden SQL of examples/%s', (example) => {
  const project = loadProject(join('examples', example));
  // A project with one monitor has <step>.sql files, one with several <monitor>/<step>.sql.
  const compileAll = (dialect: string, variant: 'full_refresh' | 'incremental', environment?: nunjucks.Environment): (Step & { file: string })[] =>
    project.monitors.flatMap((monitor) =>
      compileMonitor({ monitor, schema: project.config.schema, dialect: dialects[dialect]!, run: variant === 'incremental' ? incremental(monitor) : run, environment })
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

      it.each(Object.keys(loaders) as (keyof typeof loaders)[])(`matches test/golden/${example}/${dialect}/${variant} when rendered from %s`, (way) => {
        const dir = join('test/golden', example, dialect, variant);
        const loader = loaders[way];
        for (const s of compileAll(dialect, variant, environments[way])) expect(s.sql, `${dir}/${s.file}`).toBe(readFileSync(join(dir, s.file), 'utf8'));
        if (way === 'sources') expect([...loader.precompiledUsed]).toEqual([]);
        if (way === 'precompiled') expect([...loader.fromSource]).toEqual([]);
        if (way === 'a stale bundle') {
          expect([...loader.fromSource].filter((name) => name !== STALE_TEMPLATE)).toEqual([]);
          expect(loader.precompiledUsed.has(STALE_TEMPLATE)).toBe(false);
          if (example === 'shop') expect(loader.fromSource.has(STALE_TEMPLATE)).toBe(true);
        }
        expect(loader.precompiledUsed.size + loader.fromSource.size).toBeGreaterThan(0);
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

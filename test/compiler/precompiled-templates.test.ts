// The templates compiled at build time (src/compiler/precompiled-templates.ts, dist/templates.cjs):
// the bundle `npm run build` wrote is the one the process uses, relative imports resolve the same
// from compiled code as from a source, and a damaged bundle or a template that does not compile
// costs the speed-up, never a render. test/golden/golden.test.ts renders every golden file from the
// sources, from a bundle and from a stale bundle.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileMonitor } from '../../src/compiler/compile.js';
import { createEnvironment, PACKAGE_ROOT, PRECOMPILED_TEMPLATES, TemplateLoader, templateLoader } from '../../src/compiler/environment.js';
import {
  BUNDLE_KEY,
  loadPrecompiled,
  precompiledModule,
  TEMPLATE_OPTIONS,
  templateHash,
  templateNames,
  writePrecompiled,
} from '../../src/compiler/precompiled-templates.js';
import { loadProject } from '../../src/config/load.js';
import { dialects } from '../../src/dialects/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'hindsight-precompiled-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A package root of its own under the scratch folder, with these templates (models/ may stay empty). */
function templateRoot(name: string, files: Record<string, string>): string {
  const root = join(scratch, name);
  mkdirSync(join(root, 'models'), { recursive: true });
  mkdirSync(join(root, 'macros'), { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

describe('precompiled templates', () => {
  const shop = loadProject(join(PACKAGE_ROOT, 'examples', 'shop'));
  const asOf = new Date('2026-11-21T00:00:00Z');
  const compileShop = () =>
    compileMonitor({ monitor: shop.monitors[0]!, schema: shop.config.schema, dialect: dialects.duckdb!, run: { asOf, runId: 'test', computedAt: asOf } });

  // Always in CI (.ci/run sets CI; `npm ci` builds); elsewhere only where the build is current: a
  // developer's dist/ may predate an edit to a template, which the loader then compiles from its
  // source (the golden tests check that case).
  const built = existsSync(PRECOMPILED_TEMPLATES) && readFileSync(PRECOMPILED_TEMPLATES, 'utf8') === precompiledModule(PACKAGE_ROOT);
  it.skipIf(!built && !process.env.CI)('the bundle npm run build wrote is byte-identical to one built now, and the process renders every template from it', () => {
    expect(built, `${PRECOMPILED_TEMPLATES} is missing or is not what npm run build writes from these templates`).toBe(true);
    compileShop();
    const loader = templateLoader();
    expect([...loader.fromSource]).toEqual([]);
    expect(loader.precompiledUsed.size).toBeGreaterThan(5);
  });

  it('has one entry per template, and is the same text when built twice', () => {
    const text = precompiledModule(PACKAGE_ROOT);
    expect(text).toBe(precompiledModule(PACKAGE_ROOT));
    writeFileSync(join(scratch, 'all.cjs'), text);
    expect(Object.keys(loadPrecompiled(join(scratch, 'all.cjs'))!)).toEqual(templateNames(PACKAGE_ROOT));
  });

  it('hashes each source with the nunjucks version and the options, which no environment can change', () => {
    const version = (createRequire(import.meta.url)('nunjucks/package.json') as { version: string }).version;
    expect(BUNDLE_KEY).toBe(`nunjucks ${version}\n${JSON.stringify(TEMPLATE_OPTIONS)}\n`);
    const before = templateHash('select 1');
    createEnvironment(new TemplateLoader(PACKAGE_ROOT, undefined));
    expect(templateHash('select 1')).toBe(before);
    expect(templateHash('select 2')).not.toBe(before);
    expect(Object.isFrozen(TEMPLATE_OPTIONS)).toBe(true);
  });

  it('resolves a relative import from the importing template, compiled at build time or from its source', () => {
    // the test's working directory is the repository, which holds no macros/rel/: nunjucks's own
    // resolve would look for ./helper.sql there when the importing template was compiled at build time
    const root = templateRoot('relative', {
      'macros/rel/main.sql': '{% import "./helper.sql" as h %}{{ h.hello() }} {% include "../other.sql" %}',
      'macros/rel/helper.sql': '{% macro hello() %}hello{% endmacro %}',
      'macros/other.sql': 'world',
    });
    writePrecompiled(root, join(scratch, 'relative.cjs'));
    const compiled = new TemplateLoader(root, loadPrecompiled(join(scratch, 'relative.cjs')));
    const sources = new TemplateLoader(root, undefined);
    expect(createEnvironment(compiled).render('macros/rel/main.sql', {})).toBe('hello world');
    expect(createEnvironment(sources).render('macros/rel/main.sql', {})).toBe('hello world');
    expect([...compiled.precompiledUsed].sort()).toEqual(['macros/other.sql', 'macros/rel/helper.sql', 'macros/rel/main.sql']);
    expect([...sources.fromSource].sort()).toEqual(['macros/other.sql', 'macros/rel/helper.sql', 'macros/rel/main.sql']);
  });

  // Git for Windows checks text files out with CRLF line endings (core.autocrlf): the SQL rendered there
  // had a carriage return at the end of every template line but not of the others, bytes that the same
  // monitor compiled elsewhere does not have.
  it('renders a template checked out with CRLF line endings as the one with LF, from its source or compiled', () => {
    const template = (eol: string) => ['select 1', '{% if true %}', "from {{ 'x' }}", '{% endif %}', 'where y', ''].join(eol);
    const root = templateRoot('crlf', { 'macros/lf.sql': template('\n'), 'macros/crlf.sql': template('\r\n') });
    writePrecompiled(root, join(scratch, 'crlf.cjs'));
    for (const precompiled of [loadPrecompiled(join(scratch, 'crlf.cjs')), undefined]) {
      const env = createEnvironment(new TemplateLoader(root, precompiled));
      expect(env.render('macros/crlf.sql', {})).toBe('select 1\nfrom x\nwhere y\n');
      expect(env.render('macros/lf.sql', {})).toBe('select 1\nfrom x\nwhere y\n');
    }
  });

  it('leaves out a template that does not compile, which then fails where it is rendered, as before', () => {
    const root = templateRoot('broken', { 'macros/good.sql': 'good', 'macros/bad.sql': '{% if %}' });
    const skipped: string[] = [];
    writePrecompiled(root, join(scratch, 'broken.cjs'), (name) => skipped.push(name));
    expect(skipped).toEqual(['macros/bad.sql']);
    const loader = new TemplateLoader(root, loadPrecompiled(join(scratch, 'broken.cjs')));
    const env = createEnvironment(loader);
    expect(env.render('macros/good.sql', {})).toBe('good');
    expect(() => env.render('macros/bad.sql', {})).toThrow(/macros\/bad\.sql/);
    expect([...loader.precompiledUsed]).toEqual(['macros/good.sql']);
  });

  it('renders from the sources when the bundle is damaged, and says why', () => {
    const damaged = join(scratch, 'damaged.cjs');
    const text = precompiledModule(PACKAGE_ROOT);
    writeFileSync(damaged, text.slice(0, Math.floor(text.length / 2)));
    const warnings: string[] = [];
    expect(loadPrecompiled(damaged, (m) => warnings.push(m))).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(damaged);
    expect(warnings[0]).toContain('npm run build');
    expect(loadPrecompiled(join(scratch, 'missing.cjs'), (m) => warnings.push(m))).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it('is written whole or not at all: no temporary file is left behind', () => {
    const root = templateRoot('atomic', { 'macros/a.sql': 'a' });
    const target = join(scratch, 'atomic', 'out.cjs');
    writePrecompiled(root, target);
    expect(loadPrecompiled(target)!['macros/a.sql']!.hash).toBe(templateHash('a'));
    expect(existsSync(`${target}.${process.pid}.tmp`)).toBe(false);
  });
});

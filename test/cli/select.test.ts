// --select and --exclude in dbt's node selection syntax: names with wildcards, tag:, path:, file:,
// spaces for any, commas for all; and what is not supported, said as such.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectMonitors, selectSeeds } from '../../src/cli/commands.js';
import { loadProject } from '../../src/config/load.js';
import { UsageError } from '../../src/errors.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const monitor = (name: string, tags?: string) => `  - name: ${name}
    type: binary_classification
${tags === undefined ? '' : `    tags: ${tags}\n`}    predictions: {relation: raw.p, key: id, timestamp: ts, score: s}
    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 2 days}
`;

// monitors/nightly/m_one.yml: m_one [nightly, core], m_two (nightly); monitors/hourly.yml: h_one [hourly], m_three
const dir = mkdtempSync(join(tmpdir(), 'hindsight-select-'));
made.push(dir);
writeFileSync(join(dir, 'hindsight.yml'), 'name: shop\nprofile: shop\n');
mkdirSync(join(dir, 'monitors', 'nightly'), { recursive: true });
writeFileSync(join(dir, 'monitors', 'nightly', 'm_one.yml'), `monitors:\n${monitor('m_one', '[nightly, core]')}${monitor('m_two', 'nightly')}`);
writeFileSync(join(dir, 'monitors', 'hourly.yml'), `monitors:\n${monitor('h_one', '[hourly]')}${monitor('m_three')}`);
mkdirSync(join(dir, 'empty'));
const project = loadProject(dir, { partialParse: false });

const names = (select?: string[], exclude?: string[]) => selectMonitors(project, { select, exclude }).map((m) => m.name);
const error = (select?: string[], exclude?: string[]) => {
  try {
    selectMonitors(project, { select, exclude });
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('selected without an error');
};

describe('--select and --exclude', () => {
  it('reads tags: a list, or one tag', () => {
    expect(project.monitors.map((m) => [m.name, m.tags])).toEqual([['h_one', ['hourly']], ['m_three', []], ['m_one', ['nightly', 'core']], ['m_two', ['nightly']]]);
  });

  it('selects every monitor without --select, and by name, in the project order', () => {
    expect(names()).toEqual(['h_one', 'm_three', 'm_one', 'm_two']);
    expect(names(['m_two', 'h_one'])).toEqual(['h_one', 'm_two']);
  });

  it.each([
    ['m_*', ['m_three', 'm_one', 'm_two']],
    ['m_?????', ['m_three']],
    ['[hm]_one', ['h_one', 'm_one']],
    ['[!h]_one', ['m_one']],
    ['*', ['h_one', 'm_three', 'm_one', 'm_two']],
  ])('matches names with shell-style wildcards: %s', (selector, expected) => {
    expect(names([selector])).toEqual(expected);
  });

  it.each([
    ['tag:nightly', ['m_one', 'm_two']],
    ['tag:core', ['m_one']],
    ['tag:*ly', ['h_one', 'm_one', 'm_two']],
    ['path:monitors/nightly', ['m_one', 'm_two']],
    ['path:monitors/nightly/', ['m_one', 'm_two']],
    ['monitors/nightly', ['m_one', 'm_two']],
    ['path:./monitors/hourly.yml', ['h_one', 'm_three']],
    ['path:monitors', ['h_one', 'm_three', 'm_one', 'm_two']],
    ['path:monitors/*.yml', ['h_one', 'm_three']],
    ['path:monitors/*/m_one.yml', ['m_one', 'm_two']],
    [`path:${join(dir, 'monitors', 'hourly.yml')}`, ['h_one', 'm_three']],
    ['file:m_one.yml', ['m_one', 'm_two']],
    ['file:hourly', ['h_one', 'm_three']],
    ['hourly.yml', ['h_one', 'm_three']],
  ])('selects by method: %s', (selector, expected) => {
    expect(names([selector])).toEqual(expected);
  });

  it('takes space-separated selectors as any of them, comma-joined criteria as all of them (as dbt)', () => {
    expect(names(['tag:hourly m_one'])).toEqual(['h_one', 'm_one']);
    expect(names(['tag:hourly', 'm_one'])).toEqual(['h_one', 'm_one']);
    expect(names(['m_*,tag:nightly'])).toEqual(['m_one', 'm_two']);
    expect(names(['tag:nightly,tag:core m_three'])).toEqual(['m_three', 'm_one']);
    expect(names(['path:monitors/nightly,file:m_one.yml,m_two'])).toEqual(['m_two']);
  });

  it('leaves out what --exclude selects, in the same syntax', () => {
    expect(names(undefined, ['tag:nightly'])).toEqual(['h_one', 'm_three']);
    expect(names(['m_*'], ['m_two'])).toEqual(['m_three', 'm_one']);
    expect(names(['m_*'], ['tag:nightly,tag:core', 'path:monitors/hourly.yml'])).toEqual(['m_two']);
    expect(names(['tag:nightly'], ['m_*'])).toEqual([]);
  });

  it.each([[[]], [['']], [['  ']], [['', ' ']]])('rejects --select given no selector (%j): it is not every monitor', (select) => {
    expect(error(select)).toMatch(/^--select needs at least one selector .*; to select every monitor, leave --select out$/);
    expect(error(undefined, select)).toMatch(/^--exclude needs at least one selector .*; to exclude nothing, leave --exclude out$/);
  });

  it.each(['+m_one', 'm_one+', '2+m_one', 'm_one+1', '@m_one', '+tag:nightly'])('says graph operators are not supported: %s', (selector) => {
    const message = error([selector]);
    expect(message.startsWith(`--select ${selector}: `)).toBe(true);
    expect(message).toMatch(/graph operators \(\+ and @, dbt's parents and children\) are not supported: monitors do not depend on one another; select "(m_one|tag:nightly)" itself$/);
  });

  it('says which methods hindsight has, of an unknown one and of one of dbt that it does not have', () => {
    expect(error(['tga:nightly'])).toBe('--select tga:nightly: unknown selection method "tga:" (did you mean "tag:"?); hindsight selects monitors by name (with wildcards such as m_*), tag:, path:, file:');
    expect(error(['state:modified'])).toMatch(/^--select state:modified: dbt's selection method "state:" is not supported; hindsight selects monitors by name/);
    expect(error(['config.materialized:table'])).toMatch(/dbt's selection method "config\.materialized:" is not supported/);
    expect(error(['tag:'])).toBe('--select tag:: "tag:" needs a value (a tag)');
    expect(error(['m_one,'])).toMatch(/^--select m_one,: a comma joins two criteria that must both hold \(as in dbt\), and one side of it is empty/);
  });

  it('rejects a selector that matches nothing, with the closest name or tag, every one at once', () => {
    expect(error(['m_onee'])).toBe('--select: no monitor named "m_onee" (did you mean "m_one"?); monitors: h_one, m_three, m_one, m_two');
    expect(error(['tag:nighty'])).toBe('--select: no monitor has a tag matching "nighty" (did you mean "tag:nightly"?); tags: core, hourly, nightly');
    expect(error(['x_*'])).toBe('--select: no monitor matches "x_*"; monitors: h_one, m_three, m_one, m_two');
    expect(error(['file:daily.yml'])).toMatch(/^--select: no monitor is declared in a file named "daily.yml"; files: hourly.yml, m_one.yml$/);
    expect(error(['path:monitors/daily'])).toMatch(/^--select: path:monitors\/daily: no such file or directory \(relative to the project directory, /);
    expect(error(['path:empty'])).toBe('--select: path:empty: no monitor is declared there');
    expect(error(['h_one,tag:nightly'])).toMatch(/^--select h_one,tag:nightly: no monitor matches all of h_one, tag:nightly \(a comma joins criteria that must all hold, as in dbt; separate selectors with spaces to select either\)$/);
    expect(error(['m_one'], ['tag:hourli'])).toMatch(/^--exclude: no monitor has a tag matching "hourli" \(did you mean "tag:hourly"\?\)/);
    expect(error(['m_onee tag:nighty'], ['x'])).toBe([
      '--select: no monitor named "m_onee" (did you mean "m_one"?); monitors: h_one, m_three, m_one, m_two',
      '--select: no monitor has a tag matching "nighty" (did you mean "tag:nightly"?); tags: core, hourly, nightly',
      '--exclude: no monitor named "x"; monitors: h_one, m_three, m_one, m_two',
    ].join('\n'));
  });
});

describe("seed's --select and --exclude: seeds by table", () => {
  const seeds = [
    { schema: 'raw', table: 'orders', path: join(dir, 'seeds', 'raw', 'orders.csv') },
    { schema: 'raw', table: 'returns', path: join(dir, 'seeds', 'raw', 'returns.csv') },
    { schema: 'ref', table: 'regions', path: join(dir, 'seeds', 'ref', 'regions.csv') },
  ];
  const tables = (select?: string[], exclude?: string[]) => selectSeeds(seeds, { projectDir: dir, select, exclude }).map((s) => `${s.schema}.${s.table}`);

  it('selects by table, schema.table, wildcards, path: and file:, and excludes', () => {
    expect(tables()).toEqual(['raw.orders', 'raw.returns', 'ref.regions']);
    expect(tables(['orders', 'ref.regions'])).toEqual(['raw.orders', 'ref.regions']);
    expect(tables(['raw.*'])).toEqual(['raw.orders', 'raw.returns']);
    expect(tables(['re*'], ['ref.*'])).toEqual(['raw.returns']);
    expect(tables(['path:seeds/ref'])).toEqual(['ref.regions']);
    expect(tables(['orders.csv'])).toEqual(['raw.orders']);
  });

  it('has no tags, and rejects what matches nothing or nothing given', () => {
    expect(() => tables(['tag:nightly'])).toThrow('--select tag:nightly: seeds have no tags; hindsight selects seeds by name (with wildcards such as raw.*), path:, file:');
    expect(() => tables(['order'])).toThrow('--select: no seed named "order" (did you mean "orders"?); seeds: raw.orders, raw.returns, ref.regions');
    expect(() => tables([''])).toThrow(/^--select needs at least one selector/);
  });
});

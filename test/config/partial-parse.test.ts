// Partial parsing (src/config/partial-parse.ts): a load that reuses target/partial_parse.json gives
// exactly the project a fresh parse gives, and a cache entry is used only for the bytes it was made
// from. Whether an entry is used is observed by planting a value in it that the YAML does not have.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadProject } from '../../src/config/load.js';
import { PARTIAL_PARSE_FILE } from '../../src/config/partial-parse.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function copyOf(example: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hindsight-partial-${example}-`));
  made.push(dir);
  cpSync(join('examples', example), dir, { recursive: true, filter: (src) => !src.includes(`${example}/target`) });
  return dir;
}

const cachePath = (dir: string) => join(dir, 'target', PARTIAL_PARSE_FILE);
const readCache = (dir: string) => JSON.parse(readFileSync(cachePath(dir), 'utf8'));
const writeCache = (dir: string, doc: unknown) => writeFileSync(cachePath(dir), JSON.stringify(doc));

/** Changes the threshold stored for the first cached monitor: a load that shows 0.123 used the entry. */
function plant(dir: string, file: string): void {
  const doc = readCache(dir);
  doc.files[file].monitors[0].threshold = 0.123;
  writeCache(dir, doc);
}

describe('partial parsing', () => {
  it.each(['shop', 'carousel', 'demand', 'resale', 'styles'])('gives the same project as a fresh parse: %s', (example) => {
    const dir = copyOf(example);
    const fresh = loadProject(dir);
    expect(existsSync(cachePath(dir))).toBe(false);
    expect(loadProject(dir, { partialParse: true })).toEqual(fresh); // writes the cache
    expect(existsSync(cachePath(dir))).toBe(true);
    expect(loadProject(dir, { partialParse: true })).toEqual(fresh); // reads it
  });

  it('uses an entry only for the bytes it was made from, and only with the same parser', () => {
    const dir = copyOf('shop');
    const file = join('monitors', 'keep_probability.yml');
    loadProject(dir, { partialParse: true });
    plant(dir, file);
    expect(loadProject(dir, { partialParse: true }).monitors[0]!.threshold).toBe(0.123);
    // without partial parsing the cache is not read
    expect(loadProject(dir).monitors[0]!.threshold).toBe(0.5);

    // an edited file is parsed again, and its new entry replaces the old one
    const yaml = readFileSync(join(dir, file), 'utf8');
    writeFileSync(join(dir, file), `${yaml}\n# edited\n`);
    expect(loadProject(dir, { partialParse: true }).monitors[0]!.threshold).toBe(0.5);
    plant(dir, file);
    expect(loadProject(dir, { partialParse: true }).monitors[0]!.threshold).toBe(0.123);

    // another version of hindsight's config code or of its YAML and schema libraries
    writeCache(dir, { ...readCache(dir), fingerprint: 'other' });
    expect(loadProject(dir, { partialParse: true }).monitors[0]!.threshold).toBe(0.5);

    // a cache that is not JSON is ignored and rewritten
    writeFileSync(cachePath(dir), '{"schema_version": ');
    expect(loadProject(dir, { partialParse: true }).monitors[0]!.threshold).toBe(0.5);
    expect(Object.keys(readCache(dir).files)).toEqual([file]);
  });

  it('keeps no entry for a file with problems or a deleted file, and still checks names across files', () => {
    const dir = copyOf('shop');
    const file = join('monitors', 'keep_probability.yml');
    const yaml = readFileSync(join(dir, file), 'utf8');
    writeFileSync(join(dir, 'monitors', 'z_broken.yml'), yaml.replace('threshold:', 'treshold:'));
    const messages = () => {
      try {
        loadProject(dir, { partialParse: true });
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected a configuration error');
    };
    const first = messages();
    expect(first).toMatch(/z_broken\.yml:\d+:\d+: monitors\[0\]\.treshold: unknown key/);
    expect(first).toMatch(/already declared at .*keep_probability\.yml/);
    expect(Object.keys(readCache(dir).files)).toEqual([file]);
    // the second load reads keep_probability.yml from the cache: same messages
    expect(messages()).toBe(first);

    rmSync(join(dir, 'monitors', 'z_broken.yml'));
    writeFileSync(join(dir, 'monitors', 'z_copy.yml'), yaml);
    expect(messages()).toMatch(/z_copy\.yml:\d+:\d+: monitors\[0\]\.name: monitor "keep_probability" is already declared at .*keep_probability\.yml/);
    expect(Object.keys(readCache(dir).files)).toEqual([file, join('monitors', 'z_copy.yml')]);
    rmSync(join(dir, 'monitors', 'z_copy.yml'));
    expect(loadProject(dir, { partialParse: true }).monitors.map((m) => m.name)).toEqual(['keep_probability']);
    expect(Object.keys(readCache(dir).files)).toEqual([file]);
  });

  it('is on in the CLI unless --no-partial-parse', async () => {
    const dir = copyOf('shop');
    expect(await main(['validate', '--project-dir', dir, '--no-partial-parse'])).toBe(0);
    expect(existsSync(cachePath(dir))).toBe(false);
    expect(await main(['validate', '--project-dir', dir])).toBe(0);
    expect(existsSync(cachePath(dir))).toBe(true);
  });
});

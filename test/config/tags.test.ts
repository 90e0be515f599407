// A monitor's `tags:` (dbt's), for --select tag:<tag>: validated by the zod schema like every key, in
// the JSON Schema editors get, and left out of the configuration hash (a tag computes nothing).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonSchemas } from '../../src/cli/json-schema.js';
import { loadProject } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const monitorYaml = (tags: string | undefined) => `monitors:
  - name: keep
    type: binary_classification
${tags === undefined ? '' : `    tags: ${tags}\n`}    predictions: {relation: raw.p, key: id, timestamp: ts, score: s}
    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 2 days}
`;

function load(tags: string | undefined, partialParse = false) {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-tags-'));
  made.push(dir);
  writeFileSync(join(dir, 'hindsight.yml'), 'name: shop\nprofile: shop\n');
  mkdirSync(join(dir, 'monitors'));
  writeFileSync(join(dir, 'monitors', 'keep.yml'), monitorYaml(tags));
  return { dir, load: () => loadProject(dir, { partialParse }).monitors[0]! };
}

const issues = (tags: string) => {
  try {
    load(tags).load();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => `${i.line}:${i.column} ${i.key}: ${i.message}`);
  }
  throw new Error('loaded without an error');
};

describe('monitor tags', () => {
  it('are a list or one tag, none by default, each once', () => {
    expect(load(undefined).load().tags).toEqual([]);
    expect(load('nightly').load().tags).toEqual(['nightly']);
    expect(load('[nightly, team-a, v1.2, nightly]').load().tags).toEqual(['nightly', 'team-a', 'v1.2']);
  });

  it('survive partial parsing', () => {
    const { load: again } = load('[nightly, core]', true);
    expect(again().tags).toEqual(['nightly', 'core']);
    expect(again().tags).toEqual(['nightly', 'core']); // from target/partial_parse.json
  });

  it('do not change the configuration hash: tagging a monitor does not force a full refresh', () => {
    expect(load('[nightly, core]').load().configHash).toBe(load(undefined).load().configHash);
  });

  it.each(['"two words"', '"a,b"', '"tag:x"', '"m_*"', '"+up"', '""'])('reject a tag --select could not select: %s', (tags) => {
    expect(issues(tags)).toEqual([`4:11 monitors[0].tags: expected a tag (letters, digits, _, . and -, not starting with . or -) or a list of tags, for --select tag:<tag>; tags change nothing computed; got ${tags}`]);
  });

  it('reject such a tag in a list, naming it', () => {
    expect(issues('[ok, "-x", 1]')).toEqual([
      '4:16 monitors[0].tags[1]: expected a tag: letters, digits, _, . and -, not starting with . or - (select its monitors with --select tag:<tag>); got "-x"',
      '4:22 monitors[0].tags[2]: expected a tag: letters, digits, _, . and -, not starting with . or - (select its monitors with --select tag:<tag>); got 1',
    ]);
  });

  it('are in the JSON Schema of monitor files', () => {
    const schema = jsonSchemas()['monitors.schema.json'] as object;
    const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(schema);
    const doc = (tags: unknown) => ({ monitors: [{ name: 'keep', type: 'binary_classification', tags, predictions: { relation: 'raw.p', key: 'id', timestamp: 'ts', score: 's' }, outcomes: { relation: 'raw.o', key: 'id', timestamp: 'ts', label: 'y' }, join: { within: '2 days' } }] });
    expect(validate(doc(['nightly', 'core'])), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(doc('nightly'))).toBe(true);
    expect(validate(doc(['two words']))).toBe(false);
  });
});

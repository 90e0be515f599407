// The JSON Schemas in schema/ (for editors) are generated from the zod schemas by `hindsight schema`.
// These tests keep the committed files equal to what the code produces, and check that the shop
// example and the `hindsight init` template validate against them.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../../src/cli/json-schema.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCHEMA_DIR = join(ROOT, 'schema');
const schemas = jsonSchemas();

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validators = Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, ajv.compile(schema as object)]));

/** Which schema a config file is checked against. */
function schemaFor(file: string): string {
  if (file.endsWith('hindsight.yml')) return 'hindsight.schema.json';
  if (file.endsWith('profiles.yml')) return 'profiles.schema.json';
  return 'monitors.schema.json';
}

function validate(file: string): unknown[] {
  const validator = validators[schemaFor(file)]!;
  return validator(parse(readFileSync(file, 'utf8'))) ? [] : (validator.errors ?? []);
}

function configFiles(dir: string): string[] {
  const yml = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? (e.name === 'target' ? [] : yml(join(d, e.name))) : /\.ya?ml$/.test(e.name) ? [join(d, e.name)] : []);
  return yml(dir).sort();
}

describe('schema/*.json', () => {
  it('is what `hindsight schema` generates now (run `npm run build && node bin/hindsight.js schema` after changing src/config/schema.ts)', () => {
    expect(readdirSync(SCHEMA_DIR).sort()).toEqual(Object.keys(schemas).sort());
    for (const [name, schema] of Object.entries(schemas)) {
      expect(readFileSync(join(SCHEMA_DIR, name), 'utf8'), name).toBe(JSON.stringify(schema, null, 2) + '\n');
    }
  });

  it.each([
    ['examples/shop', ['examples/shop/hindsight.yml', 'examples/shop/monitors/keep_probability.yml', 'examples/shop/profiles.yml']],
    ['templates/project', ['templates/project/hindsight.yml', 'templates/project/monitors/example.yml', 'templates/project/profiles.yml']],
  ])('accept every config file of %s', (dir, expected) => {
    const files = configFiles(join(ROOT, dir));
    expect(files.map((f) => f.slice(ROOT.length + 1))).toEqual(expected);
    for (const file of files) expect(validate(file), file).toEqual([]);
  });

  it('are the ones the example files point their editor at', () => {
    for (const file of configFiles(join(ROOT, 'examples/shop'))) {
      const ref = /^# yaml-language-server: \$schema=(\S+)/m.exec(readFileSync(file, 'utf8'))?.[1];
      expect(ref, file).toBeDefined();
      expect(resolve(dirname(file), ref!), file).toBe(join(SCHEMA_DIR, schemaFor(file)));
    }
  });

  it('reject unknown keys, wrong values and missing keys, as hindsight does', () => {
    const monitors = validators['monitors.schema.json']!;
    const monitor = parse(readFileSync(join(ROOT, 'examples/shop/monitors/keep_probability.yml'), 'utf8'));
    expect(monitors(monitor)).toBe(true);
    const broken = structuredClone(monitor);
    broken.monitors[0].granularty = 'day';
    broken.monitors[0].join.missing = 'zero';
    delete broken.monitors[0].predictions.score;
    expect(monitors(broken)).toBe(false);
    const messages = monitors.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    expect(messages).toEqual(expect.arrayContaining([
      '/monitors/0 must NOT have additional properties {"additionalProperty":"granularty"}',
      '/monitors/0/join/missing must be equal to one of the allowed values {"allowedValues":["drop","negative"]}',
      `/monitors/0/predictions must have required property 'score' {"missingProperty":"score"}`,
    ]));
  });

  it('accept env_var() templates where profiles.yml expects a number', () => {
    const profiles = validators['profiles.schema.json']!;
    const doc = { p: { target: 'prod', outputs: { prod: { type: 'postgres', host: 'h', user: 'u', dbname: 'd', port: "{{ env_var('PGPORT', '5432') }}" } } } };
    expect(profiles(doc), JSON.stringify(profiles.errors)).toBe(true);
    expect(profiles({ p: { ...doc.p, outputs: { prod: { ...doc.p.outputs.prod, port: 'lots' } } } })).toBe(false);
  });
});

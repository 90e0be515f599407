// JSON Schemas for editors (yaml-language-server, VS Code), generated from the zod schemas, which stay
// the single source of truth. `hindsight schema` writes them to schema/; a test keeps them in sync.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { monitorFileSchema, profilesFileSchema, projectSchema } from '../config/schema.js';

type JsonSchema = { [key: string]: unknown };

/**
 * In profiles.yml any value may be an `{{ env_var(...) }}` template, rendered before validation:
 * where a number is expected, a template string is accepted too.
 */
function allowTemplates(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(allowTemplates);
  if (!schema || typeof schema !== 'object') return schema;
  const out: JsonSchema = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, allowTemplates(v)]));
  // a number that is one option of several (wholeNumber's) gains its template option beside them
  if (Array.isArray(out.anyOf)) out.anyOf = out.anyOf.flatMap((o: JsonSchema) => (Object.keys(o).length === 1 && Array.isArray(o.anyOf) ? o.anyOf : [o]));
  if (out.type === 'number' || out.type === 'integer') {
    const { description, default: fallback, ...number } = out;
    return {
      ...(description === undefined ? {} : { description }),
      ...(fallback === undefined ? {} : { default: fallback }),
      anyOf: [number, { type: 'string', pattern: '\\{\\{.*\\}\\}', description: "a template such as {{ env_var('PGPORT', '5432') }}" }],
    };
  }
  return out;
}

export function jsonSchemas(): Record<string, unknown> {
  const of = (schema: z.ZodType, title: string) => ({ title, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) });
  return {
    'hindsight.schema.json': of(projectSchema, 'hindsight.yml'),
    'monitors.schema.json': of(monitorFileSchema, 'hindsight monitor file'),
    'profiles.schema.json': allowTemplates(of(profilesFileSchema, 'hindsight profiles.yml')),
  };
}

export function writeJsonSchemas(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(jsonSchemas()).map(([name, schema]) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(schema, null, 2) + '\n');
    return path;
  });
}

// JSON Schemas for editors (yaml-language-server, VS Code), generated from the zod schemas.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { monitorFileSchema, profilesFileSchema, projectSchema } from '../config/schema.js';

export function jsonSchemas(): Record<string, unknown> {
  const of = (schema: z.ZodType, title: string) => ({ title, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) });
  return {
    'hindsight.schema.json': of(projectSchema, 'hindsight.yml'),
    'monitors.schema.json': of(monitorFileSchema, 'hindsight monitor file'),
    'profiles.schema.json': of(profilesFileSchema, 'hindsight profiles.yml'),
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

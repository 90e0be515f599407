// The single source of truth for configuration: every file hindsight reads is validated here,
// the TypeScript types are derived from these schemas, and `schema/*.json` (for editors) is exported
// from them by `hindsight schema`. Every object is strict: an unknown key is an error, not ignored.
import { z } from 'zod';

// Descriptions say what a value must be: they are the "expected …" of error messages and the hover
// text of editors (they end up in the JSON Schemas).
const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'expected a column name (letters, digits, _ and $, not starting with a digit)')
  .describe('a column name (letters, digits, _ and $, not starting with a digit)');

const schemaName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'expected a schema name (letters, digits, _ and $, not starting with a digit)')
  .describe('a schema name (letters, digits, _ and $, not starting with a digit)');

// A monitor's name becomes part of table names, so it is kept to lower-case snake_case.
const monitorName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'expected lower-case letters, digits and _ (it becomes part of table names)')
  .max(60)
  .describe('a monitor name: lower-case letters, digits and _, starting with a letter, at most 60 characters (it becomes part of table names)');

const relationName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$/, 'expected [database.][schema.]table')
  .describe('a table or view: [database.][schema.]table');

export const DURATION_PATTERN = /^\s*(\d+)\s*(second|minute|hour|day|week)s?\s*$/;
const duration = z
  .string()
  .regex(DURATION_PATTERN, 'expected a duration like "14 days", "36 hours" or "2 weeks"')
  .describe('a duration like "14 days", "36 hours" or "2 weeks"');

const keyColumns = z
  .union([identifier, z.array(identifier).min(1)])
  .describe('a column name, or a list of column names for a key of several columns');
const dedupe = z.enum(['latest', 'earliest']);

export const granularitySchema = z.enum(['day', 'week', 'month']);

const segmentSchema = z
  .union([
    identifier,
    z.strictObject({
      column: identifier,
      top: z.number().int().min(1).max(10000).default(50),
    }),
  ])
  .describe('a column name, or {column: <column name>, top: <how many of its most frequent values>}');

/** Where rows come from: a table or view, or the team's own query (exactly one of the two). */
const sourceFields = {
  relation: relationName.optional(),
  sql: z.string().min(1).describe('a SQL query').optional(),
  key: keyColumns,
  timestamp: identifier,
  dedupe: dedupe.default('latest'),
};

const predictionFields = {
  ...sourceFields,
  model_version: identifier.optional(),
  where: z.string().min(1).describe('a SQL condition on the columns of the predictions').optional(),
};

const joinSchema = z.strictObject({
  within: duration,
  missing: z.enum(['drop', 'negative']).default('drop'),
});

// Only a binary label has a natural "no outcome means negative"; other types leave missing ones out.
const dropOnlyJoinSchema = z.strictObject({
  within: duration,
  missing: z.literal('drop').describe('drop (the only policy for this problem type)').default('drop'),
});

const monitorFields = {
  description: z.string().optional(),
  granularity: z
    .union([granularitySchema, z.array(granularitySchema).min(1)])
    .describe('day, week or month, or a list of them')
    .default(['day']),
  segments: z
    .array(segmentSchema)
    .describe('a list of columns to break the metrics down by, each a column name or {column: <column name>, top: <n>}')
    .default([]),
};

export const binaryClassificationSchema = z.strictObject({
  name: monitorName,
  type: z.literal('binary_classification'),
  ...monitorFields,
  predictions: z.strictObject({ ...predictionFields, score: identifier }),
  outcomes: z.strictObject({ ...sourceFields, label: identifier }),
  join: joinSchema,
  threshold: z.number().min(0).max(1).default(0.5),
});

export const multiclassClassificationSchema = z.strictObject({
  name: monitorName,
  type: z.literal('multiclass_classification'),
  ...monitorFields,
  predictions: z.strictObject({
    ...predictionFields,
    predicted_class: identifier,
    class_scores: z
      .record(z.string().min(1), identifier)
      .describe('a mapping of each class to the column with its score, e.g. {shirt: p_shirt, pants: p_pants}')
      .optional(),
  }),
  outcomes: z.strictObject({ ...sourceFields, label: identifier }),
  join: dropOnlyJoinSchema,
  top_k: z.array(z.number().int().min(1)).describe('a list of k for top_<k>_accuracy, e.g. [2, 3]').default([]),
});

const regressionOutput = z.strictObject({ prediction: identifier, label: identifier });

export const regressionSchema = z.strictObject({
  name: monitorName,
  type: z.literal('regression'),
  ...monitorFields,
  predictions: z.strictObject({ ...predictionFields, prediction: identifier.optional() }),
  outcomes: z.strictObject({ ...sourceFields, label: identifier.optional() }),
  outputs: z
    .record(z.string().regex(/^[A-Za-z0-9_]+$/, 'expected letters, digits and _'), regressionOutput)
    .describe('for several outputs: a mapping of output names to {prediction: <column>, label: <column>}')
    .optional(),
  join: dropOnlyJoinSchema,
});

// Problem types are a discriminated union on `type`: a new type is one more member.
export const monitorSchema = z.discriminatedUnion('type', [binaryClassificationSchema, multiclassClassificationSchema, regressionSchema]);

export const monitorFileSchema = z.strictObject({
  monitors: z.array(monitorSchema).describe('a list of monitors, each a mapping with name, type, predictions, outcomes and join'),
});

export const projectSchema = z.strictObject({
  name: z.string().min(1).describe('the name of the project'),
  profile: z.string().min(1).describe('the name of a profile in profiles.yml'),
  schema: schemaName.default('hindsight'),
  'monitor-paths': z.array(z.string()).describe('a list of directories with monitor files').default(['monitors']),
  'seed-paths': z.array(z.string()).describe('a list of directories with seed CSV files').default(['seeds']),
  'target-path': z.string().describe('a directory for compiled SQL and run results').default('target'),
  version: z.union([z.string(), z.number()]).optional(),
});

const duckdbOutput = z.strictObject({
  type: z.literal('duckdb'),
  path: z.string().describe('a DuckDB database file, relative to the project directory, or :memory:').default(':memory:'),
  threads: z.coerce.number().int().min(1).optional(),
  memory_limit: z.string().optional(),
});

const postgresOutput = z.strictObject({
  type: z.literal('postgres'),
  host: z.string().describe('a host name'),
  port: z.coerce.number().int().min(1).max(65535).default(5432),
  user: z.string().describe('a user name'),
  password: z.string().optional(),
  dbname: z.string().describe('a database name'),
  schema: z.string().optional(),
  sslmode: z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
  connect_timeout: z.coerce.number().int().min(1).optional(),
});

export const outputSchema = z.discriminatedUnion('type', [duckdbOutput, postgresOutput]);

export const profileSchema = z.strictObject({
  target: z.string().describe('the name of one of the outputs'),
  outputs: z.record(z.string(), outputSchema).describe('a mapping of target names to outputs (each with a type: duckdb or postgres)'),
});

export const profilesFileSchema = z
  .record(z.string(), profileSchema)
  .describe('a mapping of profile names to profiles, each with a target and outputs');

export type MonitorConfig = z.infer<typeof monitorSchema>;
export type BinaryClassificationConfig = z.infer<typeof binaryClassificationSchema>;
export type MulticlassClassificationConfig = z.infer<typeof multiclassClassificationSchema>;
export type RegressionConfig = z.infer<typeof regressionSchema>;
export type ProjectConfig = z.infer<typeof projectSchema>;
export type OutputConfig = z.infer<typeof outputSchema>;
export type Granularity = z.infer<typeof granularitySchema>;
export type WarehouseType = OutputConfig['type'];

// The single source of truth for configuration: every file hindsight reads is validated here,
// the TypeScript types are derived from these schemas, and `schema/*.json` (for editors) is exported
// from them by `hindsight schema`. Every object is strict: an unknown key is an error, not ignored.
import { z } from 'zod';
import { DURATION_PATTERN, durationSeconds, UNIT_SECONDS } from './duration.js';

// Descriptions say what a value must be: they are the "expected …" of error messages and the hover
// text of editors (they end up in the JSON Schemas).
/** A column name a monitor can give: letters, digits, _ and $, not starting with a digit. */
export const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

const identifier = z
  .string()
  .regex(COLUMN_NAME, 'expected a column name (letters, digits, _ and $, not starting with a digit)')
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
  // (a hyphen for BigQuery's project IDs, my-project.raw.events; every part is quoted where it is used)
  .regex(/^[A-Za-z_][A-Za-z0-9_$-]*(\.[A-Za-z_][A-Za-z0-9_$-]*){0,2}$/, 'expected [database.][schema.]table')
  .describe('a table or view: [database.][schema.]table');

// A longer one is beyond what warehouses' intervals and timestamps hold (Postgres and DuckDB failed
// at run time with "interval out of range"): said here, where it is written.
const MAX_DURATION_DAYS = 36500;
const duration = z
  .string()
  .regex(DURATION_PATTERN, 'expected a duration like "14 days", "36 hours" or "2 weeks"')
  .refine((text) => !DURATION_PATTERN.test(text) || durationSeconds(text) <= MAX_DURATION_DAYS * UNIT_SECONDS.day, `expected a duration of at most ${MAX_DURATION_DAYS} days (100 years)`)
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

// dbt's tags: `--select tag:nightly` picks the monitors that have one. What selectors split on
// (spaces, commas), their methods' colon, wildcards and graph operators cannot be part of one.
const tag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'expected a tag: letters, digits, _, . and -, not starting with . or -')
  .describe('a tag: letters, digits, _, . and -, not starting with . or - (select its monitors with --select tag:<tag>)');

const monitorFields = {
  description: z.string().optional(),
  tags: z
    .union([tag, z.array(tag)])
    .describe('a tag (letters, digits, _, . and -, not starting with . or -) or a list of tags, for --select tag:<tag>; tags change nothing computed')
    .default([]),
  granularity: z
    .union([granularitySchema, z.array(granularitySchema).min(1)])
    .describe('day, week or month, or a list of them')
    .default(['day']),
  segments: z
    .array(segmentSchema)
    .describe('a list of columns to break the metrics down by, each a column name or {column: <column name>, top: <n>}')
    .default([]),
  // A nightly load puts yesterday's outcomes in the warehouse today, timed yesterday: an incremental
  // run after the previous one's as-of would never see them (README, Runs are atomic and incremental).
  load_delay: duration
    .describe('a duration like "30 hours": the longest time from a source row\'s timestamp to its arrival in the warehouse, with a margin (a load at 02:00 brings a day\'s first rows 26 hours after their time); a run as of T reads the data as of T less this, all arrived')
    .optional(),
};

export const binaryClassificationSchema = z.strictObject({
  name: monitorName,
  type: z.literal('binary_classification'),
  ...monitorFields,
  predictions: z.strictObject({ ...predictionFields, score: identifier }),
  outcomes: z.strictObject({ ...sourceFields, label: identifier }),
  join: joinSchema,
  threshold: z.number().min(0).max(1).default(0.5),
  approximate_ranking: z
    .strictObject({
      score_bins: z
        .number()
        .int()
        .min(10)
        .max(1_000_000)
        .multipleOf(10, { message: 'score_bins must be a multiple of 10: score bins are cut inside the ten calibration bins' })
        .describe('a multiple of 10 from 10 to 1000000: equal-width bins over [0, 1]; the error bounds shrink as they get finer'),
    })
    .describe(
      'compute roc_auc, average_precision and ks from score bins instead of an exact sort, each with an error-bound metric row beside it (docs/semantics.md, section 5, approximate ranking)',
    )
    .optional(),
});

export const multiclassClassificationSchema = z.strictObject({
  name: monitorName,
  type: z.literal('multiclass_classification'),
  ...monitorFields,
  predictions: z.strictObject({
    ...predictionFields,
    predicted_class: identifier,
    class_scores: z
      .record(z.string().min(1, 'a class (not empty)'), identifier)
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
    .record(z.string().regex(/^[A-Za-z0-9_]+$/, 'an output name: letters, digits and _ (it is the qualifier of its metric rows)'), regressionOutput)
    .describe('for several outputs: a mapping of output names to {prediction: <column>, label: <column>}')
    .optional(),
  join: dropOnlyJoinSchema,
});

export const forecastSchema = z.strictObject({
  name: monitorName,
  type: z.literal('forecast'),
  ...monitorFields,
  predictions: z.strictObject({
    relation: sourceFields.relation,
    sql: sourceFields.sql,
    series: keyColumns.describe('the series key: a column name, or a list of column names'),
    forecast_time: identifier.describe('the column with when the forecast was made'),
    target_time: identifier.describe('the column with the period the forecast is for'),
    prediction: identifier.describe('the column with the point forecast'),
    interval: z
      .strictObject({
        lower: identifier,
        upper: identifier,
        level: z.number().gt(0).lt(1).describe('the nominal coverage of the interval, strictly between 0 and 1, e.g. 0.8'),
      })
      .describe('a prediction interval: {lower: <column>, upper: <column>, level: <e.g. 0.8>}')
      .optional(),
    quantiles: z
      // the levels (numbers strictly between 0 and 1) are checked with the other forecast rules
      .record(z.string(), identifier)
      .describe('a mapping of quantile levels (strictly between 0 and 1) to the columns with their forecasts, e.g. {0.1: p10, 0.5: p50, 0.9: p90}')
      .optional(),
    model_version: identifier.optional(),
    logged_at: identifier.describe('the column with when the forecast row was written (dedupe and as-of use it)').optional(),
    dedupe: dedupe.default('latest'),
    where: predictionFields.where,
  }),
  outcomes: z.strictObject({
    relation: sourceFields.relation,
    sql: sourceFields.sql,
    series: keyColumns.describe('the series key, matched to predictions.series position by position'),
    time: identifier.describe('the column with the period of the actual'),
    value: identifier.describe('the column with the actual value'),
    logged_at: identifier.describe('the column with when the actual was written (dedupe, as-of and incremental runs use it)').optional(),
    dedupe: dedupe.default('latest'),
  }),
  join: dropOnlyJoinSchema,
  horizon_unit: z.enum(['hour', 'day', 'week']).describe('hour, day or week: the unit of horizons and of MASE\'s seasonal lag'),
  horizons: z
    .array(z.number().int())
    .min(1)
    .describe('a list of the horizons (in horizon units) that get their own rows, e.g. [1, 2, 4]; default all')
    .optional(),
  seasonality: z.number().int().min(1).describe('a whole number of 1 or more: the seasonal lag of MASE\'s naive forecast, in horizon units').default(1),
});

// Recommendation lists, one row per recommended item; interactions are the outcomes (docs/semantics.md §5e).
export const recommendationSchema = z.strictObject({
  name: monitorName,
  type: z.literal('recommendation'),
  ...monitorFields,
  predictions: z.strictObject({
    ...predictionFields,
    key: keyColumns.describe('the request key (one list shown): a column name, or a list of column names'),
    match: keyColumns.describe('the column(s) matched to outcomes.key position by position: the user (user-to-item), or the user or session (item-to-item)'),
    item: identifier.describe('the column with the recommended item'),
    rank: identifier.describe('the column with the item\'s rank in the list (1 = top)'),
    score: identifier.describe('the column with the item\'s score (breaks ties in rank, higher first)').optional(),
    anchor_item: identifier.describe('item-to-item: the column with the item the list was shown next to (it never counts as relevant)').optional(),
  }),
  outcomes: z.strictObject({
    relation: sourceFields.relation,
    sql: sourceFields.sql,
    key: keyColumns.describe('the user (or session) of the interaction, matched to predictions.match position by position'),
    timestamp: identifier,
    item: identifier.describe('the column with the item interacted with'),
    relevance: identifier.describe('the column with the graded relevance (gain) of the interaction; default 1').optional(),
  }),
  join: z.strictObject({ within: duration }),
  k: z.array(z.number().int().min(1).max(1000)).min(1).describe('a list of cut-offs k for the @k metrics, e.g. [5, 10]').default([10]),
  catalog: z
    .strictObject({ relation: relationName.optional(), sql: z.string().min(1).describe('a SQL query').optional(), item: identifier })
    .describe('the items that could be recommended, for coverage: {relation: <table>, item: <column>} or {sql: <query>, item: <column>}')
    .optional(),
});

// Problem types are a discriminated union on `type`: a new type is one more member.
export const monitorSchema = z.discriminatedUnion('type', [binaryClassificationSchema, multiclassClassificationSchema, regressionSchema, forecastSchema, recommendationSchema]);

export const monitorFileSchema = z.strictObject({
  monitors: z.array(monitorSchema).describe('a list of monitors, each a mapping with name, type, predictions, outcomes and join'),
  version: z.union([z.string(), z.number()]).describe('ignored, as in hindsight.yml (dbt property files begin with version: 2)').optional(),
});

/** The column types `hindsight seed` writes, the same on every warehouse (a seed's `column_types`). */
export const SEED_COLUMN_TYPES = ['text', 'bigint', 'double', 'boolean', 'timestamp'] as const;

export const projectSchema = z.strictObject({
  name: z.string().min(1).describe('the name of the project'),
  profile: z.string().min(1).describe('the name of a profile in profiles.yml'),
  schema: schemaName.default('hindsight'),
  'monitor-paths': z.array(z.string()).describe('a list of directories with monitor files').default(['monitors']),
  'seed-paths': z.array(z.string()).describe('a list of directories with seed CSV files').default(['seeds']),
  'target-path': z.string().describe('a directory for compiled SQL and run results').default('target'),
  // dbt's seed config `column_types`, by table: the types `hindsight seed` would infer otherwise
  seeds: z
    .record(
      z.string().regex(/^[^.\s]+(\.[^.\s]+)?$/, 'a seed table, as <schema>.<table> (or <table>, in the project schema)'),
      z.strictObject({
        column_types: z
          .record(z.string().min(1), z.enum(SEED_COLUMN_TYPES))
          .describe(`a mapping of the seed's columns to types (${SEED_COLUMN_TYPES.join(', ')}), for those whose type inferred from the values is not the one wanted, e.g. zip_code: text`),
      }),
    )
    .describe('settings of seed tables, by table (<schema>.<table>, or <table> in the project schema): {raw.customers: {column_types: {zip_code: text}}}')
    .optional(),
  version: z.union([z.string(), z.number()]).optional(),
});

/**
 * A whole number in profiles.yml, written as a number or as the digits an `{{ env_var() }}` template
 * renders to. Not `z.coerce` alone: that reads `true` as 1, `[4]` as 4 and `0x10` as 16. (A pipe, not a
 * transform, so that the JSON Schema keeps a field's default.)
 */
function wholeNumber(min: number, max?: number) {
  const n = max === undefined ? z.number().int().min(min) : z.number().int().min(min).max(max);
  const words = max === undefined ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
  return z.union([n, z.string().regex(/^\s*\d+\s*$/).pipe(z.coerce.number<string>().pipe(n))]).describe(words);
}

/** true or false in profiles.yml, written as a boolean or as the text an `{{ env_var() }}` template renders to (True, false, …). */
function flag() {
  // (no /i flag: the JSON Schema's pattern keeps none)
  return z.union([z.boolean(), z.string().regex(/^(true|True|TRUE|false|False|FALSE)$/).transform((v) => v.toLowerCase() === 'true')]);
}

// dbt's `threads`, on every output: how many monitors run side by side, each in a session of its own.
const threads = wholeNumber(1)
  .describe('a whole number of 1 or more: how many monitors `hindsight run` runs at once, each in a session of its own (dbt\'s threads; default 1; --threads overrides it)')
  .optional();

const duckdbOutput = z.strictObject({
  type: z.literal('duckdb'),
  path: z.string().min(1).describe('a DuckDB database file, relative to the project directory (~ for the home directory), or :memory:').default(':memory:'),
  threads,
  memory_limit: z.string().describe("a memory size for DuckDB's memory_limit, e.g. 2GB").optional(),
  // as dbt-duckdb's `settings`: DuckDB's own worker threads are `settings: {threads: 4}`
  settings: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a DuckDB setting name such as threads'), z.union([z.string(), z.number(), z.boolean()]))
    // hindsight's ORDER BYs leave ascending implicit (a descending default reversed every rank: roc_auc,
    // average_precision and ks), and its comparisons of text are byte by byte (docs/semantics.md)
    .superRefine((settings, ctx) => {
      for (const [name, value] of Object.entries(settings)) {
        if (name.toLowerCase() === 'default_order' && !/^\s*asc(ending)?\s*$/i.test(String(value))) {
          ctx.addIssue({ code: 'custom', path: [name], message: "expected asc (or no default_order): hindsight's queries leave ascending order implicit, and another default reverses their ranks" });
        }
        if (name.toLowerCase() === 'default_collation' && !/^\s*(binary)?\s*$/i.test(String(value))) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'expected binary (or no default_collation): hindsight compares text byte by byte, and another collation merges or reorders values (docs/semantics.md)' });
        }
      }
    })
    .describe("a mapping of DuckDB configuration options to values, e.g. threads: 4 (DuckDB's worker threads) or temp_directory: /big/disk")
    .optional(),
});

const postgresOutput = z.strictObject({
  type: z.literal('postgres'),
  host: z.string().describe('a host name'),
  port: wholeNumber(1, 65535).default(5432),
  user: z.string().describe('a user name'),
  password: z.string().optional(),
  dbname: z.string().describe('a database name'),
  schema: z.string().optional(),
  threads,
  sslmode: z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
  connect_timeout: wholeNumber(1).optional(),
  session_settings: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'a setting name such as work_mem'), z.union([z.string(), z.number(), z.boolean()]))
    // Another time zone would read timestamptz values as its wall-clock times, in other windows.
    .superRefine((settings, ctx) => {
      for (const [name, value] of Object.entries(settings)) {
        if (name.toLowerCase() === 'timezone' && !/^\s*(utc|etc\/utc|gmt|etc\/gmt|z|zulu|universal|etc\/universal)\s*$/i.test(String(value))) {
          ctx.addIssue({ code: 'custom', path: [name], message: "expected UTC (or no TimeZone): hindsight's session is UTC, which its windows are in" });
        }
        // Another output style writes times as text hindsight does not read ('30/10/2026 12:00:00')
        // Another number of digits writes a double as other text than the shortest (15 digits, or 17)
        if (name.toLowerCase() === 'extra_float_digits' && String(value).trim() !== '1') {
          ctx.addIssue({ code: 'custom', path: [name], message: 'expected 1 (or no extra_float_digits): hindsight writes a double segment or class as the shortest text that reads back as it, as every other warehouse does' });
        }
        if (name.toLowerCase() === 'datestyle' && /\b(sql|postgres|german)\b/i.test(String(value))) {
          ctx.addIssue({ code: 'custom', path: [name], message: "expected ISO output, alone or with an input order (ISO, DMY): hindsight reads times, and writes date segments and keys, as ISO text" });
        }
      }
    })
    .describe("server settings for hindsight's session, e.g. work_mem: 512MB; set after hindsight's own (jit_optimize_above_cost and jit_inline_above_cost -1: no LLVM optimization or inlining of its statements, docs/performance.md)")
    .optional(),
});

// dbt-snowflake's field names. Authenticates with password, or with a key pair (private_key_path).
const snowflakeOutput = z.strictObject({
  type: z.literal('snowflake'),
  account: z.string().min(1).describe('a Snowflake account identifier, e.g. myorg-myaccount or xy12345.eu-west-1'),
  user: z.string().min(1).describe('a user name'),
  password: z.string().describe('the password (or set private_key_path for key-pair authentication)').optional(),
  private_key_path: z.string().min(1).describe('a PEM private key file for key-pair authentication, instead of a password').optional(),
  private_key_passphrase: z.string().describe('the passphrase of an encrypted private_key_path').optional(),
  role: z.string().min(1).describe('a role name').optional(),
  warehouse: z.string().min(1).describe('a virtual warehouse name').optional(),
  database: z.string().min(1).describe('a database name'),
  schema: z.string().min(1).describe('the default schema of the session').optional(),
  threads,
  query_tag: z.string().describe('a QUERY_TAG for every statement; during a monitor run the tag is JSON with this value, the monitor and the step').optional(),
  client_session_keep_alive: flag().describe('true or false: keep the session alive with heartbeats').optional(),
  connect_retries: wholeNumber(0).describe('a whole number of 0 or more: how many times to retry logging in after a transient error (network, HTTP 5xx, 408 or 429); default 7, the driver\'s').optional(),
  access_url: z.string().regex(/^https?:\/\/[^/\s]+\/?$/, 'expected a URL like https://host or http://127.0.0.1:8085').describe('the URL of the Snowflake service, when not https://<account>.snowflakecomputing.com (private endpoints, tests)').optional(),
});

// dbt-bigquery's field names. Statements of a run share one BigQuery session (temp tables, one
// multi-statement transaction); every job carries the labels and the bytes-billed cap.
const labelKey = z
  .string()
  .regex(/^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u, 'expected a BigQuery label key: lower-case letters, digits, _ and -, starting with a letter, at most 63 characters')
  .describe('a label key: lower-case letters, digits, _ and -, starting with a letter, at most 63 characters');
const labelValue = z
  .string()
  .regex(/^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u, 'expected a BigQuery label value: lower-case letters, digits, _ and -, at most 63 characters')
  .describe('a label value: lower-case letters, digits, _ and -, at most 63 characters');
const bigqueryOutput = z
  .strictObject({
    type: z.literal('bigquery'),
    project: z.string().min(1).describe('a Google Cloud project ID: jobs run (and are billed) there, and tables without a project are read from it'),
    dataset: z.string().min(1).describe('the default dataset, for table names without one').optional(),
    location: z.string().min(1).describe('a BigQuery location such as US, EU or europe-west3 (default: where the datasets are)').optional(),
    threads,
    method: z
      .enum(['oauth', 'service-account', 'anonymous'])
      .describe('oauth (application-default credentials, e.g. `gcloud auth application-default login`), service-account (a keyfile), or anonymous (no credentials: for emulators at api_endpoint)')
      .default('oauth'),
    keyfile: z.string().min(1).describe('a service-account JSON key file, for method: service-account').optional(),
    maximum_bytes_billed: wholeNumber(1).describe('a whole number of 1 or more: a cap on the bytes each query may bill; a query over it fails instead of running').optional(),
    labels: z
      .record(labelKey, labelValue)
      .describe('job labels for every query, a mapping of label keys to values (hindsight adds hindsight_monitor and hindsight_step)')
      .optional(),
    job_timeout_seconds: wholeNumber(1).describe('a whole number of 1 or more: how long a query may run before BigQuery cancels it, in seconds').optional(),
    priority: z.enum(['interactive', 'batch']).describe('interactive or batch (batch queries wait for idle capacity)').default('interactive'),
    api_endpoint: z
      .string()
      .regex(/^https?:\/\/[^/\s]+\/?$/, 'expected a URL like https://host or http://127.0.0.1:9050')
      .describe('the URL of the BigQuery API, when not https://bigquery.googleapis.com (private endpoints, emulators, tests)')
      .optional(),
  })
  .refine((o) => o.method !== 'service-account' || o.keyfile !== undefined, { path: ['keyfile'], message: 'method: service-account needs a keyfile (a service-account JSON key file)' });

export const outputSchema = z.discriminatedUnion('type', [duckdbOutput, postgresOutput, snowflakeOutput, bigqueryOutput]);

export const profileSchema = z.strictObject({
  target: z.string().describe('the name of one of the outputs'),
  outputs: z.record(z.string(), outputSchema).describe(`a mapping of target names to outputs (each with a type: ${outputSchema.options.map((o) => o.shape.type.value).join(', ')})`),
});

export const profilesFileSchema = z
  .record(z.string(), profileSchema)
  .describe('a mapping of profile names to profiles, each with a target and outputs');

/**
 * profiles.yml as a run reads it: the profile and target it uses are checked in full, the others
 * not at all (like dbt: a file shared by projects, or a production target whose variables are not
 * set on a laptop, does not stop a run on another target). The editor schema is profilesFileSchema.
 */
export function selectedProfileSchema(profile: string, target: string | undefined, targetGiven: boolean) {
  const outputs = target === undefined ? z.record(z.string(), z.unknown()) : z.looseObject({ [target]: outputSchema });
  const shape = { outputs: outputs.describe(profileSchema.shape.outputs.description!), ...(targetGiven ? { target: profileSchema.shape.target.optional() } : {}) };
  return z.looseObject({ [profile]: profileSchema.extend(shape) });
}

export type MonitorConfig = z.infer<typeof monitorSchema>;
export type BinaryClassificationConfig = z.infer<typeof binaryClassificationSchema>;
export type MulticlassClassificationConfig = z.infer<typeof multiclassClassificationSchema>;
export type RegressionConfig = z.infer<typeof regressionSchema>;
export type ForecastConfig = z.infer<typeof forecastSchema>;
export type RecommendationConfig = z.infer<typeof recommendationSchema>;
export type ProjectConfig = z.infer<typeof projectSchema>;
export type OutputConfig = z.infer<typeof outputSchema>;
export type Granularity = z.infer<typeof granularitySchema>;

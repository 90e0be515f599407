// BigQuery through `@google-cloud/bigquery`, loaded only when a profile targets BigQuery.
//
// Every statement is one query job, and all jobs of a run share one BigQuery *session*: the first
// job creates it (`createSession`), later ones join it (`session_id`). That is what lets the runner's
// one-call-per-statement flow use temp tables and one multi-statement transaction across jobs
// (`begin` / `commit` / `rollback` become BEGIN / COMMIT / ROLLBACK TRANSACTION).
//
// Each job carries the profile's labels plus hindsight_monitor / hindsight_step (setContext), the
// bytes-billed cap, the priority and the job timeout. The client submits jobs with an ID it makes
// up front, so its retries of a transient failure (HTTP 408/429/5xx, rateLimitExceeded,
// backendError) cannot run a statement twice: a retried insert that finds the job already there
// (409) takes that job. A job that *fails* is never resubmitted; its error is BigQuery's message.
import type { BigQuery, BigQueryOptions, Job, Query } from '@google-cloud/bigquery';
import type { OutputConfig } from '../config/schema.js';
import { bigquery as bigqueryDialect } from '../dialects/bigquery.js';
import type { Adapter, Row, StatementPosition } from './adapter.js';

type BigqueryOutput = Extract<OutputConfig, { type: 'bigquery' }>;

/** The REST API's table schema and rows (https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema). */
interface Field {
  name: string;
  type: string;
  mode?: string;
  fields?: Field[];
}
interface Cell {
  v: unknown;
}
interface QueryResults {
  jobComplete?: boolean;
  schema?: { fields?: Field[] };
  rows?: { f: Cell[] }[];
  pageToken?: string;
  totalRows?: string;
  numDmlAffectedRows?: string;
}
interface JobError {
  reason?: string;
  message?: string;
}

/** Runner transaction words to GoogleSQL's. */
const TRANSACTION: Record<string, string> = { begin: 'BEGIN TRANSACTION', commit: 'COMMIT TRANSACTION', rollback: 'ROLLBACK TRANSACTION' };

/** How long one getQueryResults call may wait for its job on the server (the API's own default). */
const POLL_MS = 10_000;
/** After job_timeout_seconds, how long to wait for BigQuery to stop the job before cancelling it ourselves. */
const TIMEOUT_GRACE_MS = 5_000;
/**
 * How long to wait for a job we cancelled to stop. jobs.cancel "will return immediately, and the
 * client will need to poll for the job status to see if the cancel completed successfully", and a
 * session runs one job at a time (another fails: "Concurrent jobs in the same session are not
 * allowed"), so the runner's `rollback` must wait for it. BigQuery states no bound on how long a
 * cancel takes (seconds, usually); a minute is well past that, yet keeps a cancel the service does
 * not honor from holding the run indefinitely.
 */
const CANCEL_WAIT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reasons the service uses for failures worth another try of the same request. */
const TRANSIENT_REASONS = new Set(['backendError', 'internalError', 'rateLimitExceeded', 'userRateLimitExceeded']);
const TRANSIENT_CODES = new Set([408, 429, 500, 502, 503, 504]);

/** Whether the client should retry a failed HTTP request (the same request: a job keeps its ID). */
export function isTransient(error: unknown): boolean {
  const e = error as { code?: unknown; errors?: JobError[] };
  if (typeof e?.code === 'number' && TRANSIENT_CODES.has(e.code)) return true;
  return (e?.errors ?? []).some((x) => x.reason !== undefined && TRANSIENT_REASONS.has(x.reason));
}

/** A BigQuery failure as an Error whose message is BigQuery's own (the runner adds monitor and step). */
export function bigQueryError(error: unknown): Error {
  const e = error as { message?: string; errors?: JobError[]; response?: { status?: { errorResult?: JobError } } };
  const primary: JobError | undefined = e?.response?.status?.errorResult ?? e?.errors?.[0];
  const message = primary?.message ?? e?.message ?? String(error);
  return Object.assign(new Error(message, { cause: error }), { reason: primary?.reason });
}

/** BigQuery ends a message with the place in the query: "Unrecognized name: nosuch at [3:5]". */
export function bigqueryErrorPosition(error: unknown): StatementPosition | undefined {
  const m = /at \[(\d+):(\d+)\]\s*$/.exec(error instanceof Error ? error.message : '');
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

/**
 * BigQuery's cancellation of a transaction that mutated a table another transaction was mutating:
 * "Transaction is aborted due to concurrent update against table p:d.t. Transaction ID: …", or for a
 * DML statement outside a transaction "Could not serialize access to table p:d.t due to concurrent
 * update" (cloud.google.com/bigquery/docs/transactions#transaction_concurrency).
 */
export function isBigqueryConcurrentUpdate(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Transaction is aborted due to concurrent update|Could not serialize access to table .* due to concurrent update/i.test(message);
}

/** A label value BigQuery accepts: lower case, letters, digits, _ and -, at most 63 characters. */
const labelValue = (value: string) => value.toLowerCase().replace(/[^\p{Ll}\p{Lo}\p{N}_-]/gu, '_').slice(0, 63);

/** One REST value to plain JS: INT64 and NUMERIC as numbers, TIMESTAMP as a Date, BOOL as a boolean. */
function convertValue(value: unknown, field: Field): unknown {
  if (value === null || value === undefined) return null;
  if (field.mode === 'REPEATED') return (value as Cell[]).map((cell) => convertValue(cell.v, { ...field, mode: 'NULLABLE' }));
  const text = value as string;
  switch (field.type) {
    case 'INTEGER':
    case 'INT64': {
      const n = Number(text);
      if (!Number.isSafeInteger(n)) throw new Error(`column ${field.name}: integer ${text} does not fit a JavaScript number`);
      return n;
    }
    case 'FLOAT':
    case 'FLOAT64':
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return Number(text); // also "NaN", "Infinity" and "-Infinity"
    case 'BOOLEAN':
    case 'BOOL':
      return text === 'true';
    case 'TIMESTAMP':
      // Microseconds since the epoch with formatOptions.useInt64Timestamp (what we ask for);
      // seconds as a float (e.g. "1.7E9") without it. A Date keeps milliseconds.
      return /^-?\d+$/.test(text) ? new Date(Number(BigInt(text) / 1000n)) : new Date(Number(text) * 1000);
    case 'RECORD':
    case 'STRUCT':
      return convertRow((value as { f: Cell[] }).f, field.fields ?? []);
    default:
      return text; // STRING, DATE, DATETIME, TIME, BYTES (base64), JSON, GEOGRAPHY: as BigQuery writes them
  }
}

function convertRow(cells: Cell[], fields: Field[]): Row {
  const row: Row = {};
  fields.forEach((field, i) => {
    row[field.name] = convertValue(cells[i]?.v, field);
  });
  return row;
}

async function makeClient(output: BigqueryOutput): Promise<BigQuery> {
  const { BigQuery: Client } = await import('@google-cloud/bigquery');
  const options: BigQueryOptions = {
    projectId: output.project,
    location: output.location,
    userAgent: 'hindsight',
    // The client's retry (exponential backoff with jitter) covers transient HTTP failures of every
    // request; ours only adds the reasons BigQuery reports on other status codes.
    retryOptions: { autoRetry: true, maxRetries: 3, retryableErrorFn: isTransient },
  };
  if (output.api_endpoint) options.apiEndpoint = output.api_endpoint.replace(/\/$/, '');
  if (output.method === 'service-account') options.keyFilename = output.keyfile;
  if (output.method === 'anonymous') {
    const { PassThroughClient } = await import('google-auth-library');
    options.authClient = new PassThroughClient();
  }
  return new Client(options);
}

/** POSTs/GETs through the client: its base URL, credentials and retries. */
function rest<T>(client: BigQuery, reqOpts: { uri: string; method?: string; qs?: Record<string, unknown> }): Promise<T> {
  return new Promise((resolve, reject) => {
    client.request(reqOpts, (err, body) => (err ? reject(err) : resolve(body as T)));
  });
}

export async function openBigquery(output: BigqueryOutput): Promise<Adapter> {
  const client = await makeClient(output);
  const timeoutMs = output.job_timeout_seconds ? output.job_timeout_seconds * 1000 : undefined;
  let sessionId: string | undefined;
  let location = output.location;
  let context: Record<string, string> = {};

  /** Submits one query job; the first real (not dry-run) job creates the session. */
  async function submit(sql: string, dryRun: boolean): Promise<{ job: Job; metadata: Record<string, any> }> {
    const labels: Record<string, string> = { ...output.labels };
    for (const [key, value] of Object.entries(context)) labels[`hindsight_${labelValue(key)}`.slice(0, 63)] = labelValue(value);
    const query: Query = {
      query: sql,
      useLegacySql: false,
      labels,
      priority: output.priority === 'batch' ? 'BATCH' : 'INTERACTIVE',
      location,
      jobPrefix: 'hindsight_',
    };
    if (dryRun) query.dryRun = true;
    if (output.maximum_bytes_billed !== undefined) query.maximumBytesBilled = String(output.maximum_bytes_billed);
    if (timeoutMs !== undefined && !dryRun) query.jobTimeoutMs = timeoutMs;
    if (output.dataset) query.defaultDataset = { projectId: output.project, datasetId: output.dataset };
    if (sessionId) query.connectionProperties = [{ key: 'session_id', value: sessionId }];
    else if (!dryRun) query.createSession = true;
    let job: Job;
    let metadata: Record<string, any>;
    try {
      [job, metadata] = (await client.createQueryJob(query)) as unknown as [Job, Record<string, any>];
    } catch (e) {
      throw bigQueryError(e);
    }
    if (!dryRun && !sessionId) {
      sessionId = metadata.statistics?.sessionInfo?.sessionId;
      location = metadata.jobReference?.location ?? location;
    }
    return { job, metadata };
  }

  /**
   * Waits for a job (long polls of getQueryResults) and reads its result, every page; `rows: false`
   * only waits. Past job_timeout_seconds (plus a grace for BigQuery to stop it) the job is cancelled.
   */
  async function finish(job: Job, rows: boolean): Promise<{ rows: Row[]; fields: Field[]; dmlRows: number }> {
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs + TIMEOUT_GRACE_MS;
    const out: Row[] = [];
    let fields: Field[] = [];
    let pageToken: string | undefined;
    let dmlRows = 0;
    let polls = 0;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        await job.cancel().catch(() => undefined);
        const message = `BigQuery job ${job.id} did not finish within job_timeout_seconds (${output.job_timeout_seconds}); it was cancelled`;
        if (await stopped(job)) throw new Error(message);
        throw new Error(`${message}, but was still running ${CANCEL_WAIT_MS / 1000} s later (the session's next statements fail while it runs)`);
      }
      const qs: Record<string, unknown> = { timeoutMs: Math.min(POLL_MS, remaining), 'formatOptions.useInt64Timestamp': true };
      if (job.location ?? location) qs.location = job.location ?? location;
      if (!rows) qs.maxResults = 0;
      if (pageToken) qs.pageToken = pageToken;
      let page: QueryResults;
      try {
        page = await rest<QueryResults>(client, { uri: `/queries/${encodeURIComponent(job.id!)}`, qs });
      } catch (e) {
        throw bigQueryError(e);
      }
      if (page.jobComplete === false) {
        // The service long-polls; this only keeps a service that answers at once from being hammered.
        await sleep(Math.min(1000, 50 * 2 ** polls++));
        continue;
      }
      fields = page.schema?.fields ?? fields;
      dmlRows = Number(page.numDmlAffectedRows ?? dmlRows);
      if (rows) for (const r of page.rows ?? []) out.push(convertRow(r.f, fields));
      if (!rows || !page.pageToken) return { rows: out, fields, dmlRows };
      pageToken = page.pageToken;
    }
  }

  /** Polls a job (jobs.get) until it is DONE, for CANCEL_WAIT_MS at most: whether it is. */
  async function stopped(job: Job): Promise<boolean> {
    const until = Date.now() + CANCEL_WAIT_MS;
    const qs: Record<string, unknown> = {};
    if (job.location ?? location) qs.location = job.location ?? location;
    for (let polls = 0; ; polls++) {
      // (a request that fails, after the client's retries, is one more poll)
      const resource = await rest<{ status?: { state?: string } }>(client, { uri: `/jobs/${encodeURIComponent(job.id!)}`, qs }).catch(() => undefined);
      if (resource?.status?.state === 'DONE') return true;
      const left = until - Date.now();
      if (left <= 0) return false;
      await sleep(Math.min(1000, 50 * 2 ** polls, left));
    }
  }

  let running: Job | undefined;
  async function run(sql: string, rows: boolean) {
    const statement = TRANSACTION[sql.trim().toLowerCase()] ?? sql;
    const { job } = await submit(statement, false);
    running = job;
    try {
      return await finish(job, rows);
    } finally {
      running = undefined;
    }
  }

  async function dryRun(sql: string): Promise<{ bytesProcessed: number; fields: Field[] }> {
    const { metadata } = await submit(sql, true);
    return {
      bytesProcessed: Number(metadata.statistics?.totalBytesProcessed ?? metadata.statistics?.query?.totalBytesProcessed ?? 0),
      fields: metadata.statistics?.query?.schema?.fields ?? [],
    };
  }

  return {
    type: 'bigquery',
    dialect: bigqueryDialect,
    async execute(sql) {
      return (await run(sql, false)).dmlRows;
    },
    async query(sql) {
      return (await run(sql, true)).rows;
    },
    // A dry run returns the result's schema without reading any data (and bills nothing).
    async columns(select) {
      return (await dryRun(select)).fields.map((f) => ({ name: f.name, type: f.mode === 'REPEATED' ? `ARRAY<${f.type}>` : f.type }));
    },
    async dryRun(sql) {
      return { bytesProcessed: (await dryRun(sql)).bytesProcessed };
    },
    setContext(labels) {
      context = { ...labels };
    },
    // a session (and client) of its own: BigQuery runs one session's jobs one after another
    openSession: () => openBigquery(output),
    errorPosition: bigqueryErrorPosition,
    isConcurrentUpdate: isBigqueryConcurrentUpdate,
    // the job fails with BigQuery's "Job execution was cancelled", which the waiting run reports:
    // its `finish` polls on until the job is DONE, so the session's next statement waits for it
    async interrupt() {
      await running?.cancel();
    },
    async close() {
      if (!sessionId) return;
      // Ends the session now rather than after its idle timeout; its temp tables go with it.
      await run('CALL BQ.ABORT_SESSION()', false).catch(() => undefined);
      sessionId = undefined;
    },
  };
}

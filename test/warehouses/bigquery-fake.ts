// A small fake of the BigQuery REST API (v2) for the adapter's tests: the real
// `@google-cloud/bigquery` client talks to it over HTTP on 127.0.0.1 (its `apiEndpoint` option).
// It fakes the service, not our code: it implements only what the client calls, the way the
// service answers, and knows nothing of hindsight.
//
//   POST /bigquery/v2/projects/{p}/jobs              jobs.insert (query jobs, dry runs, sessions)
//   GET  /bigquery/v2/projects/{p}/jobs/{id}         jobs.get
//   GET  /bigquery/v2/projects/{p}/queries/{id}      jobs.getQueryResults (long poll, pageToken)
//   POST /bigquery/v2/projects/{p}/jobs/{id}/cancel  jobs.cancel
//
// Queries run on an in-memory DuckDB: GoogleSQL is translated with polyglot-sql, plus two fixes
// where its DuckDB output does not run (ISOWEEK, BIGNUMERIC; see `toDuckdb`). Each BigQuery session
// is one DuckDB connection, so temp tables and an open transaction belong to their session.
// What BigQuery enforces and the fake enforces too: only DML, SELECT and temp-table DDL inside a
// transaction; a failed statement ends the transaction; label syntax; maximumBytesBilled against
// bytes billed (the columns the query reads, per BigQuery's data sizes, at least 10 MB);
// jobTimeoutMs; a partition filter on a table that requires one (`requirePartitionFilter`); one
// job at a time in a session ("No concurrent queries are allowed in the same session",
// cloud.google.com/bigquery/docs/sessions-intro#limitations): a job submitted while another of its
// session runs fails with BigQuery's "Concurrent jobs in the same session are not allowed"
// (cloud.google.com/bigquery/docs/troubleshoot-queries); jobs.cancel answers before the job
// stops (`cancelLatencyMs`); and conflicting transactions are cancelled
// (cloud.google.com/bigquery/docs/transactions#transaction_concurrency): a statement that deletes,
// updates or merges rows of a table that another session's open transaction has mutated so fails,
// in a transaction with "Transaction is aborted due to concurrent update against table …" (which
// ends it), outside one with "Could not serialize access to table … due to concurrent update".
// `cancelNextTransactions` makes the next transactions that mutate a table fail so, at that
// statement or at their COMMIT, as BigQuery may do either. Error *texts* of the engine are DuckDB's,
// not BigQuery's.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { Dialect, transpile } from '@polyglot-sql/sdk';

export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: any;
}

/** An HTTP failure to answer with instead of doing the work (once per call to `failNext`). */
export interface InjectedFailure {
  code: number;
  reason: string;
  message?: string;
  /** For jobs.insert: create and start the job, then fail the response (a lost reply). */
  afterCreate?: boolean;
}

export interface FakeOptions {
  /** How long each job runs before it is DONE. */
  jobLatencyMs?: number;
  /** The longest a getQueryResults call waits for its job (the service returns earlier than timeoutMs too). */
  maxWaitMs?: number;
  /** Rows per result page at most (the service pages at about 10 MB). */
  maxRowsPerPage?: number;
  /** Whether jobs stop at configuration.jobTimeoutMs, as BigQuery's do (false: a stuck service). */
  enforceJobTimeout?: boolean;
  /**
   * How long a job goes on RUNNING after jobs.cancel (0: it stops at once). The service's cancel
   * "will return immediately, and the client will need to poll for the job status to see if the
   * cancel completed successfully" (jobs.cancel reference).
   */
  cancelLatencyMs?: number;
}

interface ApiError {
  code: number;
  reason: string;
  message: string;
}

interface Session {
  id: string;
  connection: DuckDBConnection;
  inTransaction: boolean;
  /** The tables (`dataset.table`, lower case) the open transaction deleted, updated or merged rows of. */
  mutated: Set<string>;
  /** The open transaction fails at its COMMIT, cancelled by a concurrent update of this table (cancelNextTransactions). */
  cancelAtCommit?: string;
  /** The session's latest job: while it runs, BigQuery fails any other job submitted to the session. */
  current?: FakeJob;
}

interface Result {
  fields: { name: string; type: string; mode: string }[];
  rows: { f: { v: unknown }[] }[];
  micros: (bigint | null)[][]; // timestamp cells, re-encoded per request (useInt64Timestamp or not)
  dmlRows?: number;
}

interface FakeJob {
  id: string;
  resource: any;
  done: boolean;
  error?: ApiError;
  result?: Result;
  cancelled: boolean;
  /** jobs.cancel was called (the job stops cancelLatencyMs later, if still running). */
  cancelRequested: boolean;
  finished: Promise<unknown>;
  /** Ends the job's wait at once (cancel). */
  wake: () => void;
}

const STATUS_TEXT: Record<number, string> = { 400: 'INVALID_ARGUMENT', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };
const HTTP_CODE: Record<string, number> = { invalidQuery: 400, invalid: 400, bytesBilledLimitExceeded: 400, notFound: 404, duplicate: 409, quotaExceeded: 403, rateLimitExceeded: 403, accessDenied: 403, backendError: 500, internalError: 500, stopped: 400, timeout: 400 };
const MiB = 1024 * 1024;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

// Unref'd: a job still "running" or a long poll never keeps the test process alive.
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
const fail = (reason: string, message: string): ApiError => ({ code: HTTP_CODE[reason] ?? 400, reason, message });
const isApiError = (e: unknown): e is ApiError => typeof e === 'object' && e !== null && 'reason' in e && 'code' in e;

/** The kinds of statement that mutate a table's rows, which BigQuery's conflicting transactions are made of (inserts are not). */
const MUTATING = new Set(['DELETE', 'UPDATE', 'MERGE', 'TRUNCATE']);

/** The table (`dataset.table`, lower case, without project or backquotes) a DML statement changes. */
function dmlTarget(sql: string): string | undefined {
  const m = /^\s*(?:insert(?:\s+into)?|delete(?:\s+from)?|update|merge(?:\s+into)?|truncate\s+table)\s+((?:`[^`]+`|[A-Za-z0-9_-]+)(?:\.(?:`[^`]+`|[A-Za-z0-9_-]+))*)/i.exec(sql.replace(/^(\s*(--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/))*/, ''));
  if (!m) return undefined;
  return m[1]!.replace(/`/g, '').split('.').slice(-2).join('.').toLowerCase();
}

/** The statement's kind, from its first words (after leading comments). */
function kindOf(sql: string): string {
  const head = sql.replace(/^(\s*(--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/))*/, '').trim().replace(/\s+/g, ' ').toLowerCase();
  if (/^begin( transaction)?;?$/.test(head)) return 'BEGIN_TRANSACTION';
  if (/^commit( transaction)?;?$/.test(head)) return 'COMMIT_TRANSACTION';
  if (/^rollback( transaction)?;?$/.test(head)) return 'ROLLBACK_TRANSACTION';
  if (/^call bq\.abort_session\(\s*\)/.test(head)) return 'ABORT_SESSION';
  if (/^(select|with|\()/.test(head)) return 'SELECT';
  if (/^(insert|delete|update|merge|truncate)\b/.test(head)) return head.split(' ')[0]!.toUpperCase();
  if (/^create (or replace )?temp(orary)? table\b/.test(head)) return 'CREATE_TEMP_TABLE';
  if (/^create (or replace )?table\b.*\bas\b/.test(head)) return 'CREATE_TABLE_AS_SELECT';
  if (/^drop table\b/.test(head)) return 'DROP_TABLE';
  return head.split(' ').slice(0, 2).join('_').toUpperCase(); // CREATE_SCHEMA, CREATE_TABLE, ...
}

/** GoogleSQL to DuckDB, with what polyglot-sql leaves that DuckDB does not take. */
function toDuckdb(sql: string): string[] {
  const out = transpile(sql, Dialect.BigQuery, Dialect.DuckDB);
  if (!out.success || !out.sql) throw fail('invalidQuery', `Syntax error: ${out.error ?? 'cannot parse the query'}${out.errorLine ? ` at [${out.errorLine}:${out.errorColumn}]` : ''}`);
  return out.sql.map((s) =>
    s
      // TIMESTAMP_TRUNC(x, ISOWEEK): DuckDB's 'week' is the ISO week (from Monday).
      .replace(/DATE_TRUNC\('ISOWEEK',/gi, "DATE_TRUNC('WEEK',")
      // BIGNUMERIC has 38 decimal places and 38 digits before them; DuckDB's widest decimal is
      // DECIMAL(38, x). 15 decimals, those of the other dialects' exact sums, leave 23 digits for
      // sums in units of 1e-15 (d.femtoSum), which 18 decimals would overflow or round on the way
      // to a double.
      .replace(/\bAS BIGNUMERIC\)/gi, 'AS DECIMAL(38, 15))')
      // CAST(x AS TIMESTAMP) is an instant in GoogleSQL: text with an offset (+08:00) is read at it.
      // DuckDB's TIMESTAMP cast keeps the text's wall time; through TIMESTAMPTZ, in the session's
      // UTC, it is read as BigQuery reads it (and a timestamp or date as before).
      .replace(/\bCAST\(([^()]+) AS TIMESTAMP\)/gi, 'CAST(CAST($1 AS TIMESTAMPTZ) AS TIMESTAMP)'),
  );
}

/** BigQuery's REST type for a DuckDB column type (legacy names, as the API reports them). */
function restType(type: DuckDBType): string {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'BOOLEAN';
    case DuckDBTypeId.TINYINT: case DuckDBTypeId.SMALLINT: case DuckDBTypeId.INTEGER: case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT: case DuckDBTypeId.USMALLINT: case DuckDBTypeId.UINTEGER: case DuckDBTypeId.HUGEINT:
      return 'INTEGER';
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE:
      return 'FLOAT';
    case DuckDBTypeId.DECIMAL:
      return (type as unknown as { scale: number }).scale > 9 ? 'BIGNUMERIC' : 'NUMERIC';
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_TZ: case DuckDBTypeId.TIMESTAMP_MS: case DuckDBTypeId.TIMESTAMP_S: case DuckDBTypeId.TIMESTAMP_NS:
      return 'TIMESTAMP';
    case DuckDBTypeId.DATE:
      return 'DATE';
    default:
      return 'STRING';
  }
}

/** A DuckDB value as the REST API writes it (strings; timestamps handled per request). */
function restValue(value: DuckDBValue, type: string): { v: unknown; micros: bigint | null } {
  if (value === null) return { v: null, micros: null };
  if (type === 'TIMESTAMP') {
    const micros = (value as { micros: bigint }).micros;
    return { v: null, micros };
  }
  if (type === 'FLOAT') {
    const n = Number(value);
    return { v: Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : String(n), micros: null };
  }
  return { v: String(value), micros: null };
}

/**
 * The table scans of a statement's plan: each table (database.schema.table), the columns it
 * projects and the filters pushed into it (conditions on its columns against constants, `ts<'…'`,
 * joined by AND). None for a statement EXPLAIN does not take (DDL).
 */
async function scansOf(connection: DuckDBConnection, duckSql: string): Promise<{ table: string; projections: string[]; filters: string[] }[]> {
  let plan: unknown;
  try {
    const reader = await connection.runAndReadAll(`explain (format json) ${duckSql}`);
    plan = JSON.parse(String(reader.getRowObjectsJS()[0]?.explain_value ?? '[]'));
  } catch {
    return [];
  }
  const scans: { table: string; projections: string[]; filters: string[] }[] = [];
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const info = node.extra_info ?? {};
    if (typeof info.Table === 'string') scans.push({ table: info.Table, projections: [info.Projections].flat().filter(Boolean), filters: [info.Filters].flat().filter(Boolean) });
    walk(node.children);
  };
  walk(plan);
  return scans;
}

/** Bytes a statement reads, as BigQuery bills them: the columns it reads, at BigQuery's data sizes. */
async function bytesRead(connection: DuckDBConnection, duckSql: string): Promise<number> {
  const scans = (await scansOf(connection, duckSql)).map((s) => ({ table: s.table, mentions: [...s.projections, ...s.filters].join(' ') }));
  let total = 0;
  for (const scan of scans) {
    const [database, schema, table] = scan.table.split('.');
    const columns = await connection.runAndReadAll(
      `select column_name, data_type from duckdb_columns() where database_name = $1 and schema_name = $2 and table_name = $3`,
      [database!, schema!, table!],
    );
    // BigQuery bills every column the query names, even where the engine needs none of it (a
    // filter DuckDB proves always true): the scan's columns, and the table's columns named in the SQL.
    const mentioned = (name: string, text: string) => new RegExp(`(^|[^A-Za-z0-9_])"?${name}"?($|[^A-Za-z0-9_])`).test(text);
    const read = columns.getRowObjectsJS().filter((c) => mentioned(String(c.column_name), scan.mentions) || mentioned(String(c.column_name), duckSql));
    if (read.length === 0) continue;
    // NULL is 0 bytes; STRING is 2 + its UTF-8 length; BOOL 1; NUMERIC 16, BIGNUMERIC 32; others 8.
    const size = (c: Record<string, unknown>) => {
      const col = `"${String(c.column_name)}"`;
      const t = String(c.data_type);
      const bytes = t === 'VARCHAR' ? `2 + strlen(${col})` : t === 'BOOLEAN' ? '1' : t.startsWith('DECIMAL') ? (Number(/,\s*([0-9]+)\)/.exec(t)?.[1]) > 9 ? '32' : '16') : '8';
      return `coalesce(sum(case when ${col} is null then 0 else ${bytes} end), 0)`;
    };
    const r = await connection.runAndReadAll(`select ${read.map(size).join(' + ')} as b from "${database}"."${schema}"."${table}"`);
    total += Number(r.getRowObjectsJS()[0]?.b ?? 0);
  }
  return total;
}

export class FakeBigQuery {
  readonly requests: ReceivedRequest[] = [];
  readonly jobs = new Map<string, FakeJob>();
  private sessions = new Map<string, Session>();
  private failures = new Map<string, InjectedFailure[]>();
  /** Tables (`dataset.table`, lower case) with require_partition_filter, to their partitioning column. */
  private partitionFilters = new Map<string, string>();
  /** Transactions to cancel as if by a concurrent update (cancelNextTransactions), in order. */
  private cancellations: { table: string; at: 'statement' | 'commit' }[] = [];
  /** How many transactions and DML statements were cancelled by a concurrent update. */
  concurrentUpdateCancellations = 0;
  /** The plans read for partition filters, one after another. */
  private planned: Promise<unknown> = Promise.resolve();

  private constructor(
    private server: Server,
    private db: DuckDBInstance,
    private options: Required<FakeOptions>,
    readonly url: string,
  ) {}

  static async start(options: FakeOptions = {}): Promise<FakeBigQuery> {
    const db = await DuckDBInstance.create(':memory:');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeBigQuery(server, db, { jobLatencyMs: 0, maxWaitMs: 10_000, maxRowsPerPage: 100_000, enforceJobTimeout: true, cancelLatencyMs: 0, ...options }, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  /** Changes how the service behaves from now on. */
  configure(options: FakeOptions): void {
    Object.assign(this.options, options);
  }

  /** The next call of `endpoint` ('jobs.insert', 'jobs.get', 'jobs.getQueryResults') fails like this. */
  failNext(endpoint: string, failure: InjectedFailure): void {
    this.failures.set(endpoint, [...(this.failures.get(endpoint) ?? []), failure]);
  }

  /**
   * The table (`dataset.table`) is partitioned by `column` with the option require_partition_filter
   * = true (as `CREATE TABLE … PARTITION BY DATE(column) OPTIONS (require_partition_filter = true)`
   * makes it): the service then refuses every query of it, dry runs included, that does not filter
   * `column` in a way it can eliminate partitions by (the column against constants).
   */
  requirePartitionFilter(table: string, column: string): void {
    this.partitionFilters.set(table.toLowerCase(), column);
  }

  /**
   * The next `count` transactions that delete, update or merge rows of `table` (`dataset.table`) are
   * cancelled as if another transaction had mutated it concurrently: at that statement (`statement`)
   * or at their COMMIT (`commit`), with BigQuery's text; the transaction is rolled back.
   */
  cancelNextTransactions(table: string, count: number, at: 'statement' | 'commit' = 'statement'): void {
    for (let i = 0; i < count; i++) this.cancellations.push({ table: table.toLowerCase(), at });
  }

  /** Runs DuckDB SQL on the stored data directly, outside any session (for tests to set up and look). */
  async sql(sql: string): Promise<Record<string, unknown>[]> {
    const connection = await this.db.connect();
    try {
      await connection.run(`set TimeZone = 'UTC'`);
      return (await connection.runAndReadAll(sql)).getRowObjectsJS();
    } finally {
      connection.closeSync();
    }
  }

  /** Query jobs as received, in order (dry runs included). */
  insertedJobs(): any[] {
    return this.requests.filter((r) => r.method === 'POST' && /\/jobs$/.test(r.path)).map((r) => r.body);
  }

  openSessions(): number {
    return this.sessions.size;
  }

  async stop(): Promise<void> {
    for (const job of this.jobs.values()) this.stopJob(job);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sessions.values()) s.connection.closeSync();
    this.db.closeSync();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const request: ReceivedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body: raw ? JSON.parse(raw) : undefined };
    this.requests.push(request);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(body));
    };
    const sendError = (e: ApiError) =>
      send(e.code, { error: { code: e.code, message: e.message, errors: [{ message: e.message, domain: 'global', reason: e.reason }], status: STATUS_TEXT[e.code] ?? 'UNKNOWN' } });
    const route = /^\/bigquery\/v2\/projects\/([^/]+)\/(jobs|queries)(?:\/([^/]+))?(\/cancel)?$/.exec(url.pathname);
    const endpoint = !route ? '' : route[2] === 'queries' ? 'jobs.getQueryResults' : route[4] ? 'jobs.cancel' : route[3] ? 'jobs.get' : 'jobs.insert';
    try {
      if (!route) throw fail('notFound', `Not found: ${req.method} ${url.pathname}`);
      const injected = this.failures.get(endpoint)?.shift();
      if (injected && !injected.afterCreate) throw { code: injected.code, reason: injected.reason, message: injected.message ?? injected.reason };
      const project = decodeURIComponent(route[1]!);
      const jobId = route[3] ? decodeURIComponent(route[3]) : undefined;
      let body: unknown;
      if (endpoint === 'jobs.insert') body = await this.insert(project, request.body);
      else if (endpoint === 'jobs.get') body = this.job(jobId!).resource;
      else if (endpoint === 'jobs.cancel') body = { kind: 'bigquery#jobCancelResponse', job: this.cancel(jobId!) };
      else body = await this.results(jobId!, request.query);
      if (injected) throw { code: injected.code, reason: injected.reason, message: injected.message ?? injected.reason };
      send(200, body);
    } catch (e) {
      sendError(isApiError(e) ? e : fail('internalError', e instanceof Error ? e.message : String(e)));
    }
  }

  private job(id: string): FakeJob {
    const job = this.jobs.get(id);
    if (!job) throw fail('notFound', `Not found: Job ${id}`);
    return job;
  }

  private async insert(project: string, body: any): Promise<unknown> {
    const config = body?.configuration ?? {};
    const query = config.query;
    if (!query?.query) throw fail('invalid', 'Only query jobs are supported by this fake');
    if (query.useLegacySql !== false) throw fail('invalid', 'This fake runs GoogleSQL only (useLegacySql: false)');
    for (const [k, v] of Object.entries<string>(config.labels ?? {})) {
      if (!LABEL_KEY.test(k)) throw fail('invalid', `Label key "${k}" has invalid characters.`);
      if (!LABEL_VALUE.test(v)) throw fail('invalid', `Label value "${v}" has invalid characters.`);
    }
    const sessionProperty = (query.connectionProperties ?? []).find((p: { key: string }) => p.key === 'session_id');
    if (query.createSession && sessionProperty) throw fail('invalid', 'Cannot set both createSession and session_id');
    const location = body.jobReference?.location ?? 'US';
    const kind = kindOf(query.query);

    if (config.dryRun) {
      const session = sessionProperty ? this.session(sessionProperty.value) : undefined;
      const connection = session?.connection ?? (await this.connect());
      try {
        const { bytes, fields } = await this.analyze(connection, query.query, kind, project);
        return {
          kind: 'bigquery#job', jobReference: { projectId: project, location }, configuration: config, status: { state: 'DONE' },
          statistics: { totalBytesProcessed: String(bytes), query: { totalBytesProcessed: String(bytes), statementType: kind, ...(fields ? { schema: { fields } } : {}) } },
        };
      } finally {
        if (!session) connection.closeSync();
      }
    }

    const id: string = body.jobReference?.jobId ?? randomUUID();
    if (this.jobs.has(id)) throw fail('duplicate', `Already Exists: Job ${project}:${location}.${id}`);
    let session: Session | undefined;
    if (sessionProperty) session = this.session(sessionProperty.value);
    else if (query.createSession) {
      session = { id: `fake-session-${randomUUID()}`, connection: await this.connect(), inTransaction: false, mutated: new Set() };
      this.sessions.set(session.id, session);
    }
    const resource = {
      kind: 'bigquery#job',
      id: `${project}:${location}.${id}`,
      jobReference: { projectId: project, jobId: id, location },
      configuration: config,
      status: { state: 'RUNNING' },
      statistics: { creationTime: String(Date.now()), startTime: String(Date.now()), query: { statementType: kind }, ...(session ? { sessionInfo: { sessionId: session.id } } : {}) },
    };
    let wake = () => {};
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const job: FakeJob = { id, resource, done: false, cancelled: false, cancelRequested: false, finished: Promise.resolve(), wake };
    this.jobs.set(id, job);
    if (session?.current && !session.current.done) {
      // (the job exists and fails at once; the reason is a guess, the documented text is the message)
      this.finish(job, undefined, fail('invalidQuery', 'Concurrent jobs in the same session are not allowed'));
      return resource;
    }
    if (session) session.current = job;
    const run = async () => {
      const timeout = config.jobTimeoutMs ? Number(config.jobTimeoutMs) : Infinity;
      const latency = this.options.jobLatencyMs;
      if (this.options.enforceJobTimeout && latency > timeout) {
        await Promise.race([sleep(timeout), woken]);
        if (!job.cancelled) this.finish(job, undefined, fail('timeout', `Job execution was cancelled: Job timed out after ${timeout / 1000} sec`));
        return;
      }
      await Promise.race([sleep(latency), woken]);
      if (job.cancelled) return;
      try {
        this.finish(job, await this.execute(session, query, kind, project));
      } catch (e) {
        this.finish(job, undefined, isApiError(e) ? e : fail('invalidQuery', e instanceof Error ? e.message.split('\n')[0]! : String(e)));
      }
    };
    job.finished = run();
    return resource;
  }

  private session(id: string): Session {
    const session = this.sessions.get(id);
    if (!session) throw fail('invalid', `Session ${id} was not found or has been terminated`);
    return session;
  }

  private async connect(): Promise<DuckDBConnection> {
    const connection = await this.db.connect();
    await connection.run(`set TimeZone = 'UTC'`);
    return connection;
  }

  private finish(job: FakeJob, result?: Result, error?: ApiError): void {
    if (job.done) return; // (a job ends once: a cancel that lands while it is being executed wins)
    job.done = true;
    job.result = result;
    job.error = error;
    job.resource.status = error ? { state: 'DONE', errorResult: { reason: error.reason, message: error.message }, errors: [{ reason: error.reason, message: error.message }] } : { state: 'DONE' };
    job.resource.statistics.endTime = String(Date.now());
    if (result) {
      if (result.dmlRows !== undefined) job.resource.statistics.query.numDmlAffectedRows = String(result.dmlRows);
    }
  }

  /** jobs.cancel: answers with the job as it is (RUNNING still, with a cancelLatencyMs); it stops later. */
  private cancel(id: string): unknown {
    const job = this.job(id);
    if (!job.done && !job.cancelRequested) {
      job.cancelRequested = true;
      const latency = this.options.cancelLatencyMs;
      if (latency > 0) void sleep(latency).then(() => this.stopJob(job));
      else this.stopJob(job);
    }
    return job.resource;
  }

  private stopJob(job: FakeJob): void {
    if (job.done) return;
    job.cancelled = true;
    job.wake();
    this.finish(job, undefined, fail('stopped', 'Job execution was cancelled: User requested cancellation'));
  }

  /** Validates a statement (binds it without running) and says what it would read and return. */
  private async analyze(connection: DuckDBConnection, sql: string, kind: string, project: string): Promise<{ bytes: number; fields?: Result['fields'] }> {
    if (kind.endsWith('_TRANSACTION') || kind === 'ABORT_SESSION') return { bytes: 0 };
    let bytes = 0;
    let fields: Result['fields'] | undefined;
    for (const statement of toDuckdb(sql)) {
      const prepared = await connection.prepare(statement).catch((e: Error) => {
        throw fail('invalidQuery', e.message.split('\n')[0]!);
      });
      if (kind === 'SELECT') {
        fields = Array.from({ length: prepared.columnCount }, (_, i) => ({ name: prepared.columnName(i), type: restType(prepared.columnType(i)), mode: 'NULLABLE' }));
      }
      await this.checkPartitionFilters(connection, statement, project);
      bytes += await bytesRead(connection, statement);
    }
    return { bytes, fields };
  }

  /**
   * BigQuery's refusal of a query that reads a table with require_partition_filter without a filter
   * on its partitioning column that eliminates partitions: one DuckDB pushes into the table's scan
   * (the column against constants; not one under an OR with another column's, nor one above a window
   * function). DuckDB drops a pushed filter that the table's statistics prove always true, which
   * BigQuery does not: the plan is read without that optimization.
   */
  private async checkPartitionFilters(connection: DuckDBConnection, statement: string, project: string): Promise<void> {
    if (this.partitionFilters.size === 0) return;
    // (the setting is the database's: one check at a time, so that none resets it under another)
    const scans = this.planned.then(async () => {
      await connection.run(`set disabled_optimizers = 'statistics_propagation'`);
      return scansOf(connection, statement).finally(() => connection.run('reset disabled_optimizers'));
    });
    this.planned = scans.catch(() => undefined);
    for (const scan of await scans) {
      const [, dataset, table] = scan.table.split('.');
      const column = this.partitionFilters.get(`${dataset}.${table}`.toLowerCase());
      if (column === undefined) continue;
      // `ts<'…'::TIMESTAMP`, or `(CAST(ts AS TIMESTAMP WITH TIME ZONE) >= '…'::TIMESTAMP WITH TIME ZONE)`
      // as toDuckdb turns a TIMESTAMP literal, an instant; `ts IN (…)`
      const col = `"?${column.replace(/[^A-Za-z0-9_]/g, '\\$&')}"?`;
      const pruning = new RegExp(`^\\(?(${col}|CAST\\(${col} AS TIMESTAMP WITH TIME ZONE\\))\\s*(([<>]=?|=)\\s*'[^']*'::[A-Z ]+|IN \\()`, 'i');
      if (scan.filters.join(' AND ').split(' AND ').some((condition) => pruning.test(condition.trim()))) continue;
      throw fail('invalidQuery', `Cannot query over table '${project}.${dataset}.${table}' without a filter over column(s) '${column}' that can be used for partition elimination`);
    }
  }

  private async execute(session: Session | undefined, query: any, kind: string, project: string): Promise<Result> {
    const empty: Result = { fields: [], rows: [], micros: [] };
    if (kind === 'ABORT_SESSION') {
      if (!session) throw fail('invalidQuery', 'BQ.ABORT_SESSION() must run in a session');
      this.sessions.delete(session.id);
      session.connection.closeSync(); // an open transaction is rolled back with it
      return empty;
    }
    if (kind.endsWith('_TRANSACTION')) {
      if (!session) throw fail('invalidQuery', 'Transaction control statements are supported only in scripts or sessions');
      if (kind === 'BEGIN_TRANSACTION') {
        if (session.inTransaction) throw fail('invalidQuery', 'Nested transactions are not supported');
        await session.connection.run('begin transaction');
        session.inTransaction = true;
      } else {
        if (!session.inTransaction) throw fail('invalidQuery', `${kind === 'COMMIT_TRANSACTION' ? 'COMMIT' : 'ROLLBACK'} TRANSACTION without an active transaction`);
        const cancelled = kind === 'COMMIT_TRANSACTION' ? session.cancelAtCommit : undefined;
        session.inTransaction = false;
        session.mutated.clear();
        session.cancelAtCommit = undefined;
        await session.connection.run(cancelled || kind === 'ROLLBACK_TRANSACTION' ? 'rollback' : 'commit');
        if (cancelled) throw this.concurrentUpdate(project, cancelled, true);
      }
      return empty;
    }
    const connection = session?.connection ?? (await this.connect());
    try {
      if (session?.inTransaction) await this.checkTransactional(connection, query.query, kind);
      if (MUTATING.has(kind)) this.checkConcurrentUpdate(session, query.query, project);
      const { bytes } = await this.analyze(connection, query.query, kind, project);
      const billed = bytes === 0 ? 0 : Math.max(10 * MiB, Math.ceil(bytes / MiB) * MiB);
      if (query.maximumBytesBilled !== undefined && billed > Number(query.maximumBytesBilled)) {
        throw fail('bytesBilledLimitExceeded', `Query exceeded limit for bytes billed: ${query.maximumBytesBilled}. ${billed} or higher required.`);
      }
      let result = empty;
      for (const statement of toDuckdb(query.query)) {
        if (kind !== 'SELECT') {
          const changed = (await connection.run(statement)).rowsChanged;
          result = { ...empty, ...(['INSERT', 'DELETE', 'UPDATE', 'MERGE'].includes(kind) ? { dmlRows: changed } : {}) };
          continue;
        }
        const reader = await connection.runAndReadAll(statement);
        const types = reader.columnTypes().map(restType);
        const fields = reader.columnNames().map((name, i) => ({ name, type: types[i]!, mode: 'NULLABLE' }));
        const cells = reader.getRows().map((row) => row.map((value, i) => restValue(value, types[i]!)));
        result = { fields, rows: cells.map((row) => ({ f: row.map((c) => ({ v: c.v })) })), micros: cells.map((row) => row.map((c) => c.micros)) };
      }
      return result;
    } catch (e) {
      // A failed statement ends the session's transaction: BigQuery rolls it back.
      if (session?.inTransaction) {
        session.inTransaction = false;
        session.mutated.clear();
        session.cancelAtCommit = undefined;
        await connection.run('rollback').catch(() => undefined);
      }
      throw e;
    } finally {
      if (!session) connection.closeSync();
    }
  }

  /**
   * A statement that mutates rows of a table fails when another session's open transaction has
   * mutated it, or when a cancellation of it is queued (cancelNextTransactions); else, in a
   * transaction, the table is recorded as mutated by it.
   */
  private checkConcurrentUpdate(session: Session | undefined, sql: string, project: string): void {
    const table = dmlTarget(sql);
    if (!table) return;
    const inTransaction = !!session?.inTransaction;
    for (const other of this.sessions.values()) {
      if (other !== session && other.inTransaction && other.mutated.has(table)) throw this.concurrentUpdate(project, table, inTransaction);
    }
    if (!inTransaction || session!.mutated.has(table)) return;
    const queued = this.cancellations.findIndex((c) => c.table === table);
    if (queued >= 0) {
      const { at } = this.cancellations.splice(queued, 1)[0]!;
      if (at === 'statement') throw this.concurrentUpdate(project, table, true);
      session!.cancelAtCommit = table;
    }
    session!.mutated.add(table);
  }

  /** BigQuery's error for a transaction (or a DML statement outside one) cancelled by a concurrent update of `table`. */
  private concurrentUpdate(project: string, table: string, inTransaction: boolean): ApiError {
    this.concurrentUpdateCancellations++;
    const name = `${project}:${table}`;
    return fail('invalidQuery', inTransaction
      ? `Transaction is aborted due to concurrent update against table ${name}. Transaction ID: ${randomUUID()}`
      : `Could not serialize access to table ${name} due to concurrent update`);
  }

  /** Inside a transaction BigQuery takes SELECT, DML and DDL on temporary tables only. */
  private async checkTransactional(connection: DuckDBConnection, sql: string, kind: string): Promise<void> {
    if (['SELECT', 'INSERT', 'DELETE', 'UPDATE', 'MERGE', 'TRUNCATE', 'CREATE_TEMP_TABLE'].includes(kind)) return;
    if (kind === 'DROP_TABLE') {
      // DROP TABLE of one of the session's temp tables (an unqualified name) is allowed.
      const name = /^\s*drop\s+table\s+(?:if\s+exists\s+)?`?([A-Za-z0-9_]+)`?\s*;?\s*$/i.exec(sql)?.[1];
      const temp = name ? await connection.runAndReadAll(`select 1 from duckdb_tables() where temporary and table_name = $1`, [name]) : undefined;
      if (temp && temp.currentRowCount > 0) return;
    }
    throw fail('invalidQuery', `Transaction control: ${kind.replace(/_/g, ' ')} is not supported inside a transaction; only DML, SELECT and DDL on temporary tables are`);
  }

  private async results(id: string, qs: Record<string, string>): Promise<unknown> {
    const job = this.job(id);
    const wait = Math.min(qs.timeoutMs === undefined ? 10_000 : Number(qs.timeoutMs), this.options.maxWaitMs);
    if (!job.done) await Promise.race([job.finished, sleep(wait)]);
    const reference = job.resource.jobReference;
    if (!job.done) return { kind: 'bigquery#getQueryResultsResponse', jobReference: reference, jobComplete: false };
    if (job.error) throw job.error;
    const result = job.result!;
    const start = qs.pageToken ? Number(Buffer.from(qs.pageToken, 'base64url').toString()) : 0;
    const size = Math.min(qs.maxResults === undefined ? Infinity : Number(qs.maxResults), this.options.maxRowsPerPage);
    const end = Math.min(start + size, result.rows.length);
    const int64 = qs['formatOptions.useInt64Timestamp'] === 'true';
    const page = result.rows.slice(start, end).map((row, r) => ({
      f: row.f.map((cell, c) => {
        const micros = result.micros[start + r]![c];
        if (micros === null || micros === undefined) return cell;
        return { v: int64 ? micros.toString() : String(Number(micros) / 1e6) };
      }),
    }));
    return {
      kind: 'bigquery#getQueryResultsResponse',
      jobReference: reference,
      jobComplete: true,
      totalRows: String(result.rows.length),
      ...(result.fields.length ? { schema: { fields: result.fields } } : {}),
      ...(page.length ? { rows: page } : {}),
      ...(end < result.rows.length ? { pageToken: Buffer.from(String(end)).toString('base64url') } : {}),
      ...(result.dmlRows === undefined ? {} : { numDmlAffectedRows: String(result.dmlRows) }),
    };
  }
}

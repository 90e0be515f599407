// A fake Snowflake service for tests: the HTTP endpoints `snowflake-sdk` talks to, answered from an
// in-memory DuckDB after translating each statement from Snowflake SQL with @polyglot-sql/sdk.
// It fakes the service, not hindsight: the real driver logs in, sends statements and decodes
// results exactly as it would against Snowflake (JSON result format, which is the only one the
// Node.js driver reads; it never asks for Arrow).
//
// What it implements (paths as in snowflake-sdk 3.x, dist/lib/services/sf.js and connection/*.js):
//   POST /session/v1/login-request   password (LOGIN_NAME/PASSWORD) or key pair (SNOWFLAKE_JWT: the
//                                    RS256 JWT is verified against the user's public key, with
//                                    iss/sub as Snowflake forms them); SESSION_PARAMETERS applied
//   POST /queries/v1/query-request   one statement per request (MULTI_STATEMENT_COUNT 1), with the
//                                    request's `parameters` as statement-level parameters (QUERY_TAG)
//   POST /queries/v1/abort-request   cancels the statement of that requestId, if it is running (its
//                                    DuckDB connection is interrupted and the statement fails with
//                                    Snowflake's 000604 "SQL execution canceled"); else accepted
//   POST /session/heartbeat, POST /session/token-request (renewal), POST /session?delete=true,
//   POST /telemetry/send             as Snowflake answers them
// Session behaviour it emulates: ALTER SESSION SET/UNSET and SHOW PARAMETERS … IN SESSION (TIMEZONE
// changes DuckDB's TimeZone, default America/Los_Angeles like Snowflake's; other parameters are kept
// and reported only; a user's own values, as ALTER USER … SET gives them, are the session's at login
// and what UNSET returns to); a session whose date, time or binary formats are not Snowflake's
// defaults (FORMAT_DEFAULTS), or with AUTOCOMMIT off, has its statements refused, as the fake cannot
// compute what they would give there (DuckDB's casts are ISO; it commits each statement) and must
// not answer as if the defaults applied; BEGIN/COMMIT/ROLLBACK, where COMMIT and ROLLBACK without an open transaction
// do nothing, and DDL (CREATE, DROP, ALTER, temporary tables included) first commits the open
// transaction and leaves none open, as Snowflake does; DML answers with Snowflake's one-row counts
// ("number of rows inserted", …); unquoted identifiers come back in upper case.
//
// Where it is not Snowflake: SQL semantics are DuckDB's as far as polyglot's translation preserves
// them (a statement it cannot translate, or DuckDB cannot run, fails as a Snowflake compilation
// error with DuckDB's message, never silently). Four spots where polyglot 0.12 writes DuckDB SQL that
// DuckDB rejects are rewritten (DUCKDB_FIXUPS) and DAYOFWEEKISO is a DuckDB macro; backslash escapes
// in string literals are not translated ('a\\b' is a\b in Snowflake, a\\b here). Error codes are
// mapped from DuckDB's error kinds and messages are DuckDB's; identifiers are case-insensitive even
// when quoted; a failed statement aborts DuckDB's transaction (Snowflake would keep it open); result
// names that DuckDB reports in lower case are upper-cased whether or not they were quoted; MERGE
// reports all changed rows as inserted. No TLS, OCSP or CRL checks happen: the driver uses plain HTTP
// for an http:// accessUrl. A statement's request is answered when it ends, however long it runs, so
// the driver's polling of a long query (GET /queries/<id>/result after a "query in progress"
// answer) is not exercised; results are always
// inline, so the chunks Snowflake serves large results in (downloaded from cloud storage) are not
// either.
//
// For tests it can also fail the next requests to a path with an HTTP status (failNext) and reject
// statements matching a pattern (rejectStatements), the way the service would report them.
import { createHash, createPublicKey, randomUUID, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  DuckDBDateValue,
  DuckDBDecimalType,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { Dialect, init as initPolyglot, transpile } from '@polyglot-sql/sdk';

export interface FakeUser {
  name: string;
  /** The user's own session parameters (ALTER USER … SET), e.g. { DATE_OUTPUT_FORMAT: 'DD/MM/YYYY' }. */
  parameters?: Record<string, string | number | boolean>;
  password?: string;
  /** PEM public key for key-pair authentication (ALTER USER … SET RSA_PUBLIC_KEY). */
  publicKey?: string;
}

export interface FakeSnowflakeOptions {
  account: string;
  users: FakeUser[];
  /** Databases that exist (each an attached in-memory DuckDB database). */
  databases?: string[];
}

/** One statement as the fake saw it: QUERY_HISTORY, roughly. */
export interface HistoryEntry {
  sessionId: number;
  sqlText: string;
  /** The DuckDB SQL it ran, when it ran one. */
  translated?: string;
  /** QUERY_TAG in effect: the statement's parameter, else the session's. */
  queryTag: string;
  /** TIMEZONE of the session when the statement ran. */
  timezone: string;
  /** Every session parameter when the statement ran. */
  parameters: Record<string, string | number | boolean>;
  status: 'SUCCESS' | 'FAILED';
  errorMessage?: string;
}

export interface LoginRecord {
  account: string;
  user: string;
  authenticator: string;
  sessionParameters: Record<string, unknown>;
  clientEnvironment: Record<string, unknown>;
  query: Record<string, string>;
  ok: boolean;
}

interface Session {
  id: number;
  token: string;
  masterToken: string;
  connection: DuckDBConnection;
  parameters: Map<string, string | number | boolean>;
  /** What UNSET returns a parameter to: the user's value, else Snowflake's default. */
  inherited: Map<string, string | number | boolean>;
  inTransaction: boolean;
  database?: string;
  schema?: string;
}

// Snowflake's defaults for the session parameters the fake knows; others are "invalid parameter".
const DEFAULT_PARAMETERS: [string, string | number | boolean][] = [
  ['TIMEZONE', 'America/Los_Angeles'],
  ['QUERY_TAG', ''],
  ['WEEK_START', 0],
  ['WEEK_OF_YEAR_POLICY', 0],
  ['TIMESTAMP_TYPE_MAPPING', 'TIMESTAMP_NTZ'],
  ['DATE_INPUT_FORMAT', 'AUTO'],
  ['TIME_INPUT_FORMAT', 'AUTO'],
  ['TIMESTAMP_INPUT_FORMAT', 'AUTO'],
  ['TIMESTAMP_OUTPUT_FORMAT', 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM'],
  ['TIMESTAMP_NTZ_OUTPUT_FORMAT', 'YYYY-MM-DD HH24:MI:SS.FF3'],
  ['TIMESTAMP_LTZ_OUTPUT_FORMAT', ''],
  ['TIMESTAMP_TZ_OUTPUT_FORMAT', ''],
  ['DATE_OUTPUT_FORMAT', 'YYYY-MM-DD'],
  ['TIME_OUTPUT_FORMAT', 'HH24:MI:SS'],
  ['BINARY_OUTPUT_FORMAT', 'HEX'],
  ['QUOTED_IDENTIFIERS_IGNORE_CASE', false],
  ['STATEMENT_TIMEOUT_IN_SECONDS', 172800],
  ['AUTOCOMMIT', true],
  ['CLIENT_SESSION_KEEP_ALIVE', false],
  ['CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY', 3600],
  ['MULTI_STATEMENT_COUNT', 1],
  ['JS_TREAT_INTEGER_AS_BIGINT', false],
  ['ROWS_PER_RESULTSET', 0],
];
const KNOWN_PARAMETERS = new Set(DEFAULT_PARAMETERS.map(([name]) => name));

// The format parameters the fake's answers assume: DuckDB casts dates and times to and from ISO text,
// which is what Snowflake does with these values. An empty TIMESTAMP_LTZ/TZ_OUTPUT_FORMAT (the
// default) means TIMESTAMP_OUTPUT_FORMAT's, as does that format itself.
const FORMAT_DEFAULTS: Record<string, string[]> = {
  DATE_INPUT_FORMAT: ['AUTO'],
  TIME_INPUT_FORMAT: ['AUTO'],
  TIMESTAMP_INPUT_FORMAT: ['AUTO'],
  DATE_OUTPUT_FORMAT: ['YYYY-MM-DD'],
  TIME_OUTPUT_FORMAT: ['HH24:MI:SS'],
  TIMESTAMP_OUTPUT_FORMAT: ['YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM'],
  TIMESTAMP_NTZ_OUTPUT_FORMAT: ['YYYY-MM-DD HH24:MI:SS.FF3'],
  TIMESTAMP_LTZ_OUTPUT_FORMAT: ['', 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM'],
  TIMESTAMP_TZ_OUTPUT_FORMAT: ['', 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM'],
  BINARY_OUTPUT_FORMAT: ['HEX'],
};

// statementTypeId values the driver looks at (DML counts come from 0x3xxx results).
const STATEMENT_TYPE = { select: 0x1000, insert: 0x3100, update: 0x3200, delete: 0x3300, merge: 0x3400, dml: 0x3000, scl: 0x4000, tcl: 0x5000, ddl: 0x6000 };

class SnowflakeSqlError extends Error {
  constructor(
    readonly code: string,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

interface Rowtype {
  name: string;
  type: string;
  precision: number | null;
  scale: number | null;
  length: number | null;
  byteLength: number | null;
  nullable: boolean;
  database: string;
  schema: string;
  table: string;
  collation: null;
}

interface StatementResult {
  rowtype: Rowtype[];
  rowset: (string | null)[][];
  statementTypeId: number;
}

const column = (name: string, type: string, extra: Partial<Rowtype> = {}): Rowtype => ({
  name, type, precision: null, scale: null, length: null, byteLength: null, nullable: true, database: '', schema: '', table: '', collation: null, ...extra,
});

const statusResult = (text: string, statementTypeId: number): StatementResult => ({
  rowtype: [column('status', 'text', { length: 16777216, byteLength: 16777216 })],
  rowset: [[text]],
  statementTypeId,
});

/** Snowflake upper-cases unquoted identifiers; DuckDB keeps them as written. */
const snowflakeName = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name.toUpperCase() : name);

/** A decimal string for value / 10^scale, as Snowflake's JSON results write numbers and timestamps. */
function scaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

function rowtypeOf(name: string, type: DuckDBType): Rowtype {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return column(name, 'boolean');
    case DuckDBTypeId.TINYINT: case DuckDBTypeId.SMALLINT: case DuckDBTypeId.INTEGER: case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT: case DuckDBTypeId.USMALLINT: case DuckDBTypeId.UINTEGER: case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT: case DuckDBTypeId.UHUGEINT:
      return column(name, 'fixed', { precision: 38, scale: 0 });
    case DuckDBTypeId.DECIMAL: {
      const d = type as DuckDBDecimalType;
      return column(name, 'fixed', { precision: d.width, scale: d.scale });
    }
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE:
      return column(name, 'real');
    case DuckDBTypeId.DATE:
      return column(name, 'date');
    case DuckDBTypeId.TIME:
      return column(name, 'time', { scale: 9 });
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_S: case DuckDBTypeId.TIMESTAMP_MS: case DuckDBTypeId.TIMESTAMP_NS:
      return column(name, 'timestamp_ntz', { scale: 9, precision: 0 });
    case DuckDBTypeId.TIMESTAMP_TZ:
      return column(name, 'timestamp_ltz', { scale: 9, precision: 0 });
    case DuckDBTypeId.VARCHAR: case DuckDBTypeId.UUID: case DuckDBTypeId.ENUM:
      return column(name, 'text', { length: 16777216, byteLength: 16777216 });
    default:
      return column(name, 'variant');
  }
}

/** One value in Snowflake's JSON result encoding (strings, epoch seconds for timestamps). */
function encode(value: DuckDBValue, type: DuckDBType): string | null {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return value ? '1' : '0';
    case DuckDBTypeId.DECIMAL:
      return (value as DuckDBDecimalValue).toString();
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE: {
      const n = value as number;
      return Number.isNaN(n) ? 'NaN' : n === Infinity ? 'inf' : n === -Infinity ? '-inf' : String(n);
    }
    case DuckDBTypeId.DATE:
      return String((value as DuckDBDateValue).days);
    case DuckDBTypeId.TIME:
      return scaled((value as DuckDBTimeValue).micros * 1000n, 9);
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_TZ:
      return scaled((value as DuckDBTimestampValue | DuckDBTimestampTZValue).micros * 1000n, 9);
    case DuckDBTypeId.TIMESTAMP_S: case DuckDBTypeId.TIMESTAMP_MS: case DuckDBTypeId.TIMESTAMP_NS:
      return scaled(BigInt(new Date(String(value)).getTime()) * 1_000_000n, 9);
    default:
      return typeof value === 'string' ? value : typeof value === 'bigint' || typeof value === 'number' ? String(value) : JSON.stringify(String(value));
  }
}

/** DuckDB's error kinds as Snowflake error codes and SQLSTATEs. */
function snowflakeError(e: unknown): SnowflakeSqlError {
  if (e instanceof SnowflakeSqlError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const kind = /^(\w+) Error:/.exec(message)?.[1];
  switch (kind) {
    case 'Parser':
      return new SnowflakeSqlError('001003', '42000', `SQL compilation error:\n${message}`);
    case 'Catalog':
      return new SnowflakeSqlError('002003', '42S02', `SQL compilation error:\n${message}`);
    case 'Binder':
      return new SnowflakeSqlError('000904', '42000', `SQL compilation error:\n${message}`);
    case 'Conversion': case 'Invalid Input': case 'Out of Range':
      return new SnowflakeSqlError('100038', '22018', message);
    case 'Constraint':
      return new SnowflakeSqlError('100072', '22000', message);
    default:
      return new SnowflakeSqlError('100000', 'XX000', message);
  }
}

/** The leading keywords of a statement, lower case, comments skipped. */
function leadingWords(sql: string, n: number): string[] {
  const stripped = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trim().toLowerCase();
  return stripped.split(/[\s(;]+/).filter(Boolean).slice(0, n);
}

/** `a = 'x', b = 2` → [[A, x], [B, 2]]; quotes respected. */
function assignments(text: string): [string, string | number | boolean][] {
  const out: [string, string | number | boolean][] = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|''|\\.)*'|[^,\s]+)\s*(,|;?\s*$)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while (consumed < text.length && (m = re.exec(text))) {
    consumed = re.lastIndex;
    const raw = m[2]!;
    const value = raw.startsWith("'")
      ? raw.slice(1, -1).replace(/''/g, "'").replace(/\\(.)/g, '$1')
      : /^(true|false)$/i.test(raw) ? raw.toLowerCase() === 'true' : /^-?\d+$/.test(raw) ? Number(raw) : raw;
    out.push([m[1]!.toUpperCase(), value]);
  }
  if (consumed < text.trimEnd().length) throw new SnowflakeSqlError('001003', '42000', `SQL compilation error:\nsyntax error near '${text.slice(consumed, consumed + 20)}'`);
  return out;
}

// polyglot's DuckDB output that DuckDB itself rejects, rewritten: [what polyglot writes, what DuckDB takes].
const DUCKDB_FIXUPS: [RegExp, string][] = [
  [/\bCURRENT_TIMESTAMP\(\)/g, 'CURRENT_TIMESTAMP'],
  [/\bTIMESTAMPNTZ\b/g, 'TIMESTAMP'],
  // Snowflake's COLLATE(x, 'utf8') compares bytes, which is what DuckDB does without a collation.
  [/\bCOLLATE\(([^()']*), 'utf8'\)/gi, '($1)'],
  [/\bINTERVAL (-\d+(?:\.\d+)?) ([A-Z]+)\b/g, 'INTERVAL ($1) $2'],
  // DATEADD(DAY, t.value, x) becomes x + INTERVAL t.value DAY, which DuckDB parses with parentheses only
  [/\bINTERVAL ([A-Za-z_]\w*\.[A-Za-z_]\w*) ([A-Z]+)\b/g, 'INTERVAL ($1) $2'],
  // TABLE(FLATTEN(<array>)) AS t becomes UNNEST(<array>) AS t, whose column DuckDB does not call
  // VALUE, as FLATTEN's is (its other columns are not read)
  [/\bUNNEST\((RANGE\(.*?\))\) AS (\w+)(?![\w(])/g, 'UNNEST($1) AS $2(value)'],
];


// Snowflake functions polyglot passes through unchanged that DuckDB has under another name.
const SNOWFLAKE_FUNCTIONS = ['create or replace temp macro dayofweekiso(x) as isodow(x)'];

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class FakeSnowflake {
  readonly history: HistoryEntry[] = [];
  readonly logins: LoginRecord[] = [];
  /** Every HTTP request: method and path (with query), in order. */
  readonly requests: string[] = [];
  private readonly sessions = new Map<string, Session>();
  private readonly masterTokens = new Map<string, Session>();
  private nextSession = 1;
  private failures: { path: string; status: number; remaining: number }[] = [];
  private rejected?: { pattern: RegExp; message: string };
  /** Statements running, by the requestId the driver sent them with (for abort-request). */
  private readonly running = new Map<string, { session: Session; cancelled: boolean }>();
  private server?: Server;
  private instance?: DuckDBInstance;
  private admin?: DuckDBConnection;
  url = '';

  constructor(private readonly options: FakeSnowflakeOptions) {}

  async start(): Promise<this> {
    await initPolyglot();
    this.instance = await DuckDBInstance.create(':memory:');
    this.admin = await this.instance.connect();
    for (const db of this.options.databases ?? []) await this.admin.run(`attach ':memory:' as ${db.toLowerCase()}`);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => this.send(res, 500, { success: false, message: String(e) }));
    });
    // The driver keeps idle sockets for 30 s; Node's server would close them after 5 s, and a request
    // sent on a socket the server is closing fails with ECONNRESET. Snowflake keeps them longer.
    this.server.keepAliveTimeout = 120_000;
    this.server.headersTimeout = 121_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sessions.values()) s.connection.closeSync();
    this.sessions.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.admin?.closeSync();
    this.instance?.closeSync();
  }

  /** The next `times` requests to a path (e.g. /session/v1/login-request) fail with an HTTP status. */
  failNext(path: string, times: number, status = 503): void {
    this.failures.push({ path, status, remaining: times });
  }

  /** Statements matching `pattern` fail as Snowflake would fail them, with `message`, until cleared. */
  rejectStatements(pattern: RegExp | undefined, message = 'Statement rejected by the test.'): void {
    this.rejected = pattern ? { pattern, message } : undefined;
  }

  /** Runs DuckDB SQL directly, outside any session: to look at the data behind the service. */
  async inspect(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.admin!.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  get openSessions(): number {
    return this.sessions.size;
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async body(req: IncomingMessage): Promise<Json> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let raw = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
    return raw.length ? (JSON.parse(raw.toString('utf8')) as Json) : {};
  }

  private session(req: IncomingMessage): Session | undefined {
    const token = /Snowflake Token="([^"]*)"/.exec(req.headers.authorization ?? '')?.[1];
    return token ? this.sessions.get(token) : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const body = await this.body(req);
    const failure = this.failures.find((f) => f.path === url.pathname && f.remaining > 0);
    if (failure) {
      failure.remaining -= 1;
      res.writeHead(failure.status, { 'content-type': 'text/plain' });
      res.end('Service Unavailable');
      return;
    }
    const ok = (data: unknown) => this.send(res, 200, { data, code: null, message: null, success: true });
    const fail = (code: string, message: string, data: Json = {}) => this.send(res, 200, { data, code, message, success: false, headers: null });

    if (req.method === 'POST' && url.pathname === '/session/v1/login-request') return this.login(body, url, ok, fail);
    if (req.method === 'POST' && url.pathname === '/session/token-request') {
      const master = /Snowflake Token="([^"]*)"/.exec(req.headers.authorization ?? '')?.[1];
      const session = master ? this.masterTokens.get(master) : undefined;
      if (!session) return fail('390114', 'Authentication token has expired.  The user must authenticate again.');
      this.sessions.delete(session.token);
      session.token = randomUUID();
      this.sessions.set(session.token, session);
      return ok({ sessionToken: session.token, validityInSecondsST: 3600, masterToken: session.masterToken, validityInSecondsMT: 14400, sessionId: session.id });
    }
    const session = this.session(req);
    if (!session) return fail('390104', 'Authentication token is invalid.');
    if (req.method === 'POST' && url.pathname === '/session' && url.searchParams.get('delete') === 'true') {
      this.sessions.delete(session.token);
      this.masterTokens.delete(session.masterToken);
      session.connection.closeSync();
      return ok(null);
    }
    if (req.method === 'POST' && url.pathname === '/session/heartbeat') return ok({});
    if (req.method === 'POST' && url.pathname === '/telemetry/send') return ok('Log Received');
    if (req.method === 'POST' && url.pathname === '/queries/v1/abort-request') {
      const running = this.running.get(String(body.requestId ?? ''));
      if (running?.session === session) {
        running.cancelled = true;
        session.connection.interrupt();
      }
      return ok(null);
    }
    if (req.method === 'POST' && url.pathname === '/queries/v1/query-request') return this.query(session, body, url.searchParams.get('requestId') ?? randomUUID(), ok, fail);
    this.send(res, 404, { success: false, code: '404', message: `the fake does not implement ${req.method} ${url.pathname}` });
  }

  private async login(body: Json, url: URL, ok: (d: unknown) => void, fail: (code: string, message: string, data?: Json) => void): Promise<void> {
    const data = (body.data ?? {}) as Json;
    const account = String(data.ACCOUNT_NAME ?? '');
    const userName = String(data.LOGIN_NAME ?? '');
    const authenticator = String(data.AUTHENTICATOR ?? 'SNOWFLAKE');
    const record: LoginRecord = {
      account, user: userName, authenticator,
      sessionParameters: (data.SESSION_PARAMETERS ?? {}) as Record<string, unknown>,
      clientEnvironment: (data.CLIENT_ENVIRONMENT ?? {}) as Record<string, unknown>,
      query: Object.fromEntries(url.searchParams), ok: false,
    };
    this.logins.push(record);
    const user = this.options.users.find((u) => u.name.toUpperCase() === userName.toUpperCase());
    const accountOk = account.toUpperCase() === this.options.account.toUpperCase();
    if (authenticator === 'SNOWFLAKE_JWT') {
      if (!accountOk || !user?.publicKey || !this.jwtValid(String(data.TOKEN ?? ''), account, userName, createPublicKey(user.publicKey))) {
        return fail('390144', 'JWT token is invalid.', { nextAction: 'RETRY_LOGIN', authnMethod: 'KEYPAIR' });
      }
    } else if (authenticator === 'SNOWFLAKE') {
      if (!accountOk || user?.password === undefined || user.password !== data.PASSWORD) {
        return fail('390100', 'Incorrect username or password was specified.', { nextAction: 'RETRY_LOGIN', authnMethod: 'USERNAME_PASSWORD' });
      }
    } else {
      return fail('390101', `the fake does not implement authenticator ${authenticator}`);
    }
    record.ok = true;

    const connection = await this.instance!.connect();
    const session: Session = {
      id: this.nextSession++, token: randomUUID(), masterToken: randomUUID(), connection,
      parameters: new Map(DEFAULT_PARAMETERS), inherited: new Map(DEFAULT_PARAMETERS), inTransaction: false,
    };
    for (const [name, value] of Object.entries(user!.parameters ?? {})) {
      await this.setParameter(session, name.toUpperCase(), value);
      session.inherited.set(name.toUpperCase(), value);
    }
    await connection.run(`set TimeZone = ${sqlString(String(session.parameters.get('TIMEZONE')))}`);
    for (const sql of SNOWFLAKE_FUNCTIONS) await connection.run(sql);
    const database = url.searchParams.get('databaseName')?.toLowerCase();
    if (database && (this.options.databases ?? []).some((d) => d.toLowerCase() === database)) {
      await connection.run(`use ${database}`);
      session.database = database.toUpperCase();
      const schema = url.searchParams.get('schemaName')?.toLowerCase();
      if (schema) {
        const exists = await (await connection.runAndReadAll(`select 1 from information_schema.schemata where catalog_name = ${sqlString(database)} and schema_name = ${sqlString(schema)}`)).getRows();
        if (exists.length) {
          await connection.run(`use ${database}.${schema}`);
          session.schema = schema.toUpperCase();
        }
      }
    }
    for (const [name, value] of Object.entries(record.sessionParameters)) {
      if (KNOWN_PARAMETERS.has(name.toUpperCase())) await this.setParameter(session, name.toUpperCase(), value as string | number | boolean);
    }
    this.sessions.set(session.token, session);
    this.masterTokens.set(session.masterToken, session);
    ok({
      token: session.token, validityInSeconds: 3600, masterToken: session.masterToken, masterValidityInSeconds: 14400,
      sessionId: session.id, displayUserName: user!.name.toUpperCase(), serverVersion: 'fake', firstLogin: false,
      healthCheckInterval: 45, parameters: this.parameterList(session),
      sessionInfo: { databaseName: session.database ?? null, schemaName: session.schema ?? null, warehouseName: url.searchParams.get('warehouse') ?? null, roleName: url.searchParams.get('roleName') ?? 'PUBLIC' },
    });
  }

  /** RS256 signature by the user's key; issuer and subject as Snowflake expects them. */
  private jwtValid(token: string, account: string, user: string, publicKey: KeyObject): boolean {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return false;
    if (!verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))) return false;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string; sub?: string };
    const fingerprint = `SHA256:${createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('base64')}`;
    const who = `${account.toUpperCase()}.${user.toUpperCase()}`;
    return claims.sub === who && claims.iss === `${who}.${fingerprint}`;
  }

  private parameterList(session: Session): { name: string; value: string | number | boolean }[] {
    return [...session.parameters].map(([name, value]) => ({ name, value }));
  }

  private async setParameter(session: Session, name: string, value: string | number | boolean): Promise<void> {
    if (!KNOWN_PARAMETERS.has(name)) throw new SnowflakeSqlError('001008', '22023', `invalid parameter '${name}'`);
    if (name === 'TIMEZONE') {
      try {
        await session.connection.run(`set TimeZone = ${sqlString(String(value))}`);
      } catch {
        throw new SnowflakeSqlError('002071', '22023', `SQL compilation error:\ninvalid value [${String(value)}] for parameter 'TIMEZONE'`);
      }
    }
    session.parameters.set(name, value);
  }

  private async query(session: Session, body: Json, requestId: string, ok: (d: unknown) => void, fail: (code: string, message: string, data?: Json) => void): Promise<void> {
    const sqlText = String(body.sqlText ?? '');
    const statementParameters = (body.parameters ?? {}) as Record<string, unknown>;
    const queryId = randomUUID();
    const entry: HistoryEntry = {
      sessionId: session.id, sqlText,
      queryTag: String(statementParameters.QUERY_TAG ?? session.parameters.get('QUERY_TAG') ?? ''),
      timezone: String(session.parameters.get('TIMEZONE')),
      parameters: Object.fromEntries(session.parameters),
      status: 'SUCCESS',
    };
    this.history.push(entry);
    const running = { session, cancelled: false };
    this.running.set(requestId, running);
    try {
      const result = await this.statement(session, sqlText, entry);
      ok({
        parameters: this.parameterList(session),
        rowtype: result.rowtype, rowset: result.rowset, total: result.rowset.length, returned: result.rowset.length,
        queryId, databaseProvider: null, finalDatabaseName: session.database ?? null, finalSchemaName: session.schema ?? null,
        finalWarehouseName: null, finalRoleName: 'PUBLIC', numberOfBinds: 0, arrayBindSupported: false,
        statementTypeId: result.statementTypeId, version: 1, sendResultTime: Date.now(), queryResultFormat: 'json',
      });
    } catch (e) {
      const error = running.cancelled ? new SnowflakeSqlError('000604', '57014', 'SQL execution canceled') : snowflakeError(e);
      entry.status = 'FAILED';
      entry.errorMessage = error.message;
      fail(error.code, error.message, { internalError: false, errorCode: error.code, age: 0, sqlState: error.sqlState, queryId, line: -1, pos: -1, type: 'COMPILATION' });
    } finally {
      this.running.delete(requestId);
    }
  }

  private async statement(session: Session, sqlText: string, entry: HistoryEntry): Promise<StatementResult> {
    if (this.rejected?.pattern.test(sqlText)) throw new SnowflakeSqlError('100000', 'XX000', this.rejected.message);
    const [first = '', second = ''] = leadingWords(sqlText, 2);
    const c = session.connection;
    const ok = 'Statement executed successfully.';

    // Session and transaction control: Snowflake's behaviour, not DuckDB's.
    if (first === 'alter' && second === 'session') {
      const rest = sqlText.replace(/^\s*alter\s+session\s+/i, '');
      const unset = /^unset\s+([\s\S]*?);?\s*$/i.exec(rest);
      if (unset) {
        for (const name of unset[1]!.split(',').map((s) => s.trim().toUpperCase())) {
          if (!session.inherited.has(name)) throw new SnowflakeSqlError('001008', '22023', `invalid parameter '${name}'`);
          await this.setParameter(session, name, session.inherited.get(name)!);
        }
      } else {
        const set = /^set\s+([\s\S]*)$/i.exec(rest);
        if (!set) throw new SnowflakeSqlError('001003', '42000', `SQL compilation error:\nsyntax error line 1 at position 14 unexpected '${rest.split(/\s/)[0]}'.`);
        for (const [name, value] of assignments(set[1]!)) await this.setParameter(session, name, value);
      }
      return statusResult(ok, STATEMENT_TYPE.scl);
    }
    if (first === 'show' && second === 'parameters') {
      const like = /like\s+'([^']*)'/i.exec(sqlText)?.[1];
      const pattern = like ? new RegExp(`^${like.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 'i') : /.*/;
      const rows = [...session.parameters].filter(([name]) => pattern.test(name));
      return {
        rowtype: ['key', 'value', 'default', 'level', 'description', 'type'].map((n) => column(n, 'text', { length: 16777216, byteLength: 16777216 })),
        rowset: rows.map(([name, value]) => {
          const fallback = DEFAULT_PARAMETERS.find(([n]) => n === name)![1];
          return [name, String(value), String(fallback), value === fallback ? '' : 'SESSION', '', typeof value === 'number' ? 'NUMBER' : typeof value === 'boolean' ? 'BOOLEAN' : 'STRING'];
        }),
        statementTypeId: STATEMENT_TYPE.select,
      };
    }
    const formats = Object.entries(FORMAT_DEFAULTS).filter(([name, values]) => !values.includes(String(session.parameters.get(name))));
    if (session.parameters.get('AUTOCOMMIT') === false) formats.push(['AUTOCOMMIT', []]);
    if (formats.length) {
      throw new SnowflakeSqlError('100000', 'XX000', `the fake runs statements with Snowflake's default formats and AUTOCOMMIT only; this session has ${formats.map(([name]) => `${name} = ${JSON.stringify(session.parameters.get(name))}`).join(', ')}`);
    }
    if (first === 'begin' || (first === 'start' && second === 'transaction')) {
      if (!session.inTransaction) await c.run('begin transaction');
      session.inTransaction = true;
      return statusResult(ok, STATEMENT_TYPE.tcl);
    }
    if (first === 'commit' || first === 'rollback') {
      if (session.inTransaction) await c.run(first);
      session.inTransaction = false;
      return statusResult(ok, STATEMENT_TYPE.tcl);
    }

    const translated = transpile(sqlText, Dialect.Snowflake, Dialect.DuckDB);
    if (!translated.success || !translated.sql) {
      throw new SnowflakeSqlError('001003', '42000', `SQL compilation error:\n${translated.error ?? 'cannot parse the statement'}`);
    }
    if (translated.sql.length !== 1) {
      throw new SnowflakeSqlError('000008', '0A000', `Actual statement count ${translated.sql.length} did not match the desired statement count 1.`);
    }
    const sql = DUCKDB_FIXUPS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), translated.sql[0]!);
    entry.translated = sql;

    if (['create', 'drop', 'alter', 'comment', 'grant', 'revoke', 'undrop'].includes(first)) {
      // DDL runs in a transaction of its own: it commits the open one first and leaves none open.
      if (session.inTransaction) {
        await c.run('commit');
        session.inTransaction = false;
      }
      await c.run(sql);
      return statusResult(ok, STATEMENT_TYPE.ddl);
    }
    if (['insert', 'update', 'delete', 'merge', 'truncate'].includes(first)) {
      const changed = String((await c.run(sql)).rowsChanged);
      const counts: Record<string, [number, string[]]> = {
        insert: [STATEMENT_TYPE.insert, ['number of rows inserted']],
        update: [STATEMENT_TYPE.update, ['number of rows updated', 'number of multi-joined rows updated']],
        delete: [STATEMENT_TYPE.delete, ['number of rows deleted']],
        merge: [STATEMENT_TYPE.merge, ['number of rows inserted']],
        truncate: [STATEMENT_TYPE.dml, ['status']],
      };
      const [statementTypeId, names] = counts[first]!;
      if (first === 'truncate') return statusResult(ok, statementTypeId);
      return {
        rowtype: names.map((n) => column(n, 'fixed', { precision: 19, scale: 0, nullable: false })),
        rowset: [names.map((_, i) => (i === 0 ? changed : '0'))],
        statementTypeId,
      };
    }
    const reader = await c.runAndReadAll(sql);
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const rowtype = names.map((n, i) => rowtypeOf(snowflakeName(n), types[i]!));
    const rowset = reader.getRows().map((row) => row.map((v, i) => encode(v, types[i]!)));
    return { rowtype, rowset, statementTypeId: first === 'select' || first === 'with' ? STATEMENT_TYPE.select : STATEMENT_TYPE.scl };
  }
}

export async function startFakeSnowflake(options: FakeSnowflakeOptions): Promise<FakeSnowflake> {
  return new FakeSnowflake(options).start();
}

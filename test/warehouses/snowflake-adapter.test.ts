// The Snowflake adapter through the real `snowflake-sdk`, against the fake service in
// snowflake-fake.ts (HTTP on 127.0.0.1, answered from DuckDB). What the driver sends and how it
// decodes answers is the driver's own code; only the service is fake.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdapter, type Adapter } from '../../src/adapters/index.js';
import { debug } from '../../src/cli/debug.js';
import { captureStdout } from '../stdout.js';
import { outputSchema, type OutputConfig } from '../../src/config/schema.js';
import { expectSameMetrics, loadFixture, readMetrics, runProject, uniqueName, writeProject, type MonitorSpec } from '../integration/harness.js';
import { randomFixture } from '../integration/random-data.js';
import type { TestTarget } from '../integration/targets.js';
import { startFakeSnowflake, type FakeSnowflake } from './snowflake-fake.js';

// The driver probes cloud metadata endpoints (169.254.169.254, metadata.google.internal) when it is
// loaded, for telemetry; that is not part of the Snowflake service, and this machine has no network.
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyDir = mkdtempSync(join(tmpdir(), 'hindsight-sf-key-'));
const keyPath = join(keyDir, 'rsa_key.p8');
const otherKeyPath = join(keyDir, 'other_key.p8');
writeFileSync(keyPath, keys.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'open sesame' }));
writeFileSync(otherKeyPath, otherKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }));

let fake: FakeSnowflake;

const BI_PARAMETERS = {
  DATE_INPUT_FORMAT: 'DD/MM/YYYY',
  TIMESTAMP_INPUT_FORMAT: 'DD/MM/YYYY HH24:MI:SS',
  DATE_OUTPUT_FORMAT: 'DD/MM/YYYY',
  TIME_OUTPUT_FORMAT: 'HH12:MI AM',
  TIMESTAMP_OUTPUT_FORMAT: 'DY, DD MON YYYY HH24:MI:SS TZHTZM',
  TIMESTAMP_NTZ_OUTPUT_FORMAT: 'DD/MM/YYYY HH24:MI',
  TIMESTAMP_LTZ_OUTPUT_FORMAT: 'DD/MM/YYYY HH24:MI TZH',
  TIMESTAMP_TZ_OUTPUT_FORMAT: 'DD/MM/YYYY HH24:MI TZH',
  BINARY_OUTPUT_FORMAT: 'BASE64',
  AUTOCOMMIT: false,
};

beforeAll(async () => {
  fake = await startFakeSnowflake({
    account: 'xy12345',
    users: [
      { name: 'HINDSIGHT_USER', password: 'secret' },
      { name: 'KEY_USER', publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      // as an account or user whose BI tools want other formats has them (ALTER USER … SET)
      { name: 'BI_USER', password: 'secret', parameters: BI_PARAMETERS },
    ],
    databases: ['analytics'],
  });
});
afterAll(async () => fake?.stop());

/** A profile as profiles.yml would give it, validated by the real schema. */
function profile(fields: Record<string, unknown> = {}): OutputConfig {
  return outputSchema.parse({
    type: 'snowflake',
    account: 'xy12345',
    user: 'hindsight_user',
    password: 'secret',
    role: 'TRANSFORMER',
    warehouse: 'COMPUTE_WH',
    database: 'ANALYTICS',
    access_url: fake.url,
    ...fields,
  });
}

const loginRequests = () => fake.requests.filter((r) => r.startsWith('POST /session/v1/login-request')).length;
const sessionHistory = (sessionId: number) => fake.history.filter((h) => h.sessionId === sessionId);
const lastSessionId = () => fake.history[fake.history.length - 1]!.sessionId;

describe('Snowflake adapter (snowflake-sdk against a fake service)', () => {
  let adapter: Adapter;
  let sessionId: number;
  beforeAll(async () => {
    adapter = await openAdapter(profile({ query_tag: 'team-ml' }));
    sessionId = lastSessionId();
    await adapter.execute('create schema if not exists s');
  });
  afterAll(async () => adapter?.close());

  it('logs in with the profile and sets the session to UTC before anything else', async () => {
    const login = fake.logins[0]!;
    expect(login).toMatchObject({ account: 'xy12345', user: 'hindsight_user', authenticator: 'SNOWFLAKE', ok: true });
    expect(login.query).toMatchObject({ databaseName: 'ANALYTICS', warehouse: 'COMPUTE_WH', roleName: 'TRANSFORMER' });
    expect(login.clientEnvironment.APPLICATION).toBe('hindsight');
    expect(sessionHistory(sessionId)[0]).toMatchObject({ sqlText: expect.stringMatching(/^alter session set timezone = 'UTC', /), status: 'SUCCESS', queryTag: 'team-ml' });

    const [parameter] = await adapter.query(`show parameters like 'TIMEZONE' in session`);
    expect(parameter).toMatchObject({ key: 'TIMEZONE', value: 'UTC' });
    // TIMESTAMP_NTZ of the current time is wall-clock time in the session's zone: UTC, not the
    // service's default America/Los_Angeles (7 or 8 hours off).
    const [{ now }] = (await adapter.query('select current_timestamp::timestamp_ntz as now')) as [{ now: Date }];
    expect(Math.abs(now.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("pins, in that one statement, the date, time and binary formats and AUTOCOMMIT to Snowflake's defaults, whatever the user's are", async () => {
    const bi = await openAdapter(profile({ user: 'bi_user' }));
    try {
      const id = lastSessionId();
      expect(await bi.query('select 1 as one')).toEqual([{ one: 1 }]);
      const [setup, last] = sessionHistory(id);
      expect(sessionHistory(id).map((h) => h.status)).toEqual(['SUCCESS', 'SUCCESS']);
      expect(setup!.parameters).toMatchObject(BI_PARAMETERS); // the user's values, before the setup ran
      // Snowflake's defaults (docs.snowflake.com/en/sql-reference/parameters); LTZ and TZ default to
      // none, i.e. TIMESTAMP_OUTPUT_FORMAT's
      expect(last!.parameters).toMatchObject({
        TIMEZONE: 'UTC',
        DATE_INPUT_FORMAT: 'AUTO',
        TIMESTAMP_INPUT_FORMAT: 'AUTO',
        DATE_OUTPUT_FORMAT: 'YYYY-MM-DD',
        TIME_OUTPUT_FORMAT: 'HH24:MI:SS',
        TIMESTAMP_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
        TIMESTAMP_NTZ_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3',
        TIMESTAMP_LTZ_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
        TIMESTAMP_TZ_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
        BINARY_OUTPUT_FORMAT: 'HEX',
        AUTOCOMMIT: true,
      });
    } finally {
      await bi.close();
    }
  });

  it('reads NUMBER, FLOAT, BOOLEAN, VARCHAR, DATE and TIMESTAMP_NTZ as plain JS values, names in lower case', async () => {
    await adapter.execute(
      'create table s.typed (id number, ratio float, exact number(38, 15), flag boolean, label varchar, day date, seen_at timestamp_ntz, "MixedCase" varchar)',
    );
    const inserted = await adapter.execute(`insert into s.typed values
      (1, 0.25, 123.456789012345678, true, 'it''s', '2026-03-29'::date, '2026-03-29 01:30:00.123'::timestamp_ntz, 'm'),
      (2, null, null, false, null, null, null, null)`);
    expect(inserted).toBe(2);
    const rows = await adapter.query('select * from s.typed order by id');
    expect(rows).toEqual([
      { id: 1, ratio: 0.25, exact: 123.456789012345678, flag: true, label: "it's", day: new Date('2026-03-29T00:00:00Z'), seen_at: new Date('2026-03-29T01:30:00.123Z'), MixedCase: 'm' },
      { id: 2, ratio: null, exact: null, flag: false, label: null, day: null, seen_at: null, MixedCase: null },
    ]);
    // TIMESTAMP_NTZ holds UTC wall-clock time: 01:30 on the day Europe moves its clocks is 01:30Z.
    expect((rows[0]!.seen_at as Date).toISOString()).toBe('2026-03-29T01:30:00.123Z');
    expect(Object.getPrototypeOf(rows[0]!.seen_at)).toBe(Date.prototype);
    expect(await adapter.execute('delete from s.typed where id = 2')).toBe(1);
    expect(await adapter.execute('create table s.empty_copy as select * from s.typed where false')).toBe(0);
  });

  it('refuses an integer a JavaScript number cannot hold exactly', async () => {
    await expect(adapter.query('select 9007199254740993::number(38, 0) as big')).rejects.toThrow(/does not fit a JavaScript number/);
  });

  it('reads the columns of a query, and their type families, with `limit 0`', async () => {
    const before = fake.history.length;
    expect(await adapter.columns('select id, label as "Label", flag, exact from s.typed')).toEqual([
      { name: 'id', type: 'fixed' },
      { name: 'Label', type: 'text' },
      { name: 'flag', type: 'boolean' },
      // (a NUMBER with a scale names it: the column check refuses it as classes)
      { name: 'exact', type: 'NUMBER(38,15)' },
    ]);
    expect(fake.history.slice(before).map((h) => h.sqlText)).toEqual(['select * from (\nselect id, label as "Label", flag, exact from s.typed\n) as probe limit 0']);
  });

  it("tags statements with the monitor and step, keeping the profile's query_tag", async () => {
    await adapter.query('select 1 as n');
    expect(fake.history.at(-1)!.queryTag).toBe('team-ml');
    adapter.setContext!({ monitor: 'keep_probability', step: 'evaluations' });
    await adapter.execute('select 2 as n');
    expect(JSON.parse(fake.history.at(-1)!.queryTag)).toEqual({ app: 'hindsight', query_tag: 'team-ml', monitor: 'keep_probability', step: 'evaluations' });
    adapter.setContext!({});
    await adapter.query('select 3 as n');
    expect(fake.history.at(-1)!.queryTag).toBe('team-ml');
  });

  it("passes a failing statement's error through from the driver, without sending it again", async () => {
    const sql = 'select * from s.no_such_table';
    const error = await adapter.query(sql).then(() => undefined, (e: unknown) => e as Error & { code?: string });
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/^SQL compilation error:/);
    expect(error!.message).toMatch(/no_such_table/);
    expect(error!.code).toBe('002003');
    expect(fake.history.filter((h) => h.sqlText === sql)).toHaveLength(1);
    expect(await adapter.query('select 1 as ok')).toEqual([{ ok: 1 }]); // the session carries on
  });

  it('interrupts the statement a session is running (an abort request), and runs the next one', async () => {
    await adapter.interrupt!(); // (nothing running: nothing is sent)
    await fake.inspect('create table analytics.s.spin as select range as i from range(20000)');
    const sql = 'select count(*) as n from s.spin a cross join s.spin b cross join s.spin c';
    const long = adapter.query(sql);
    setTimeout(() => void adapter.interrupt!(), 300);
    const error = await long.then(() => undefined, (e: unknown) => e as Error & { code?: string });
    expect(error?.message).toBe('SQL execution canceled');
    expect(error?.code).toBe('000604');
    expect(fake.requests.filter((r) => r.startsWith('POST /queries/v1/abort-request'))).toHaveLength(1);
    expect(fake.history.filter((h) => h.sqlText === sql).map((h) => h.status)).toEqual(['FAILED']);
    expect(await adapter.query('select 42 as n')).toEqual([{ n: 42 }]);
  });

  it('begin … rollback leaves a table as it was; begin … commit keeps the change', async () => {
    await adapter.execute('create table s.tx (id number)');
    await adapter.execute('insert into s.tx values (1)');
    await adapter.execute('begin');
    await adapter.execute('insert into s.tx values (2)');
    await adapter.execute('delete from s.tx where id = 1');
    expect(await adapter.query('select id from s.tx')).toEqual([{ id: 2 }]);
    await adapter.execute('rollback');
    expect(await adapter.query('select id from s.tx order by id')).toEqual([{ id: 1 }]);
    expect(await fake.inspect('select id::int as id from analytics.s.tx')).toEqual([{ id: 1 }]);

    await adapter.execute('begin');
    await adapter.execute('insert into s.tx values (3)');
    await adapter.execute('commit');
    expect(await fake.inspect('select id::int as id from analytics.s.tx order by id')).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('(the fake, like Snowflake) commits an open transaction at DDL, temporary tables included', async () => {
    await adapter.execute('create table s.ddl (id number)');
    await adapter.execute('begin');
    await adapter.execute('insert into s.ddl values (1)');
    await adapter.execute('create or replace temporary table ddl_tmp as select 1 as x');
    await adapter.execute('rollback'); // nothing left to roll back
    expect(await adapter.query('select id from s.ddl')).toEqual([{ id: 1 }]);
  });
});

describe('Snowflake connections', () => {
  it('authenticates with a key pair (encrypted private key and passphrase)', async () => {
    const adapter = await openAdapter(profile({ user: 'key_user', password: undefined, private_key_path: keyPath, private_key_passphrase: 'open sesame' }));
    try {
      expect(fake.logins.at(-1)).toMatchObject({ user: 'key_user', authenticator: 'SNOWFLAKE_JWT', ok: true });
      expect(await adapter.query('select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await adapter.close();
    }
  });

  it("reports the service's message for a wrong password or key, and does not retry it", async () => {
    const before = loginRequests();
    await expect(openAdapter(profile({ password: 'wrong', connect_retries: 3 }))).rejects.toThrow('Incorrect username or password was specified.');
    await expect(openAdapter(profile({ user: 'key_user', password: undefined, private_key_path: otherKeyPath }))).rejects.toThrow('JWT token is invalid.');
    expect(loginRequests() - before).toBe(2);
  });

  it('retries a login that fails with a transient error (HTTP 503) up to connect_retries times', async () => {
    let before = loginRequests();
    fake.failNext('/session/v1/login-request', 1, 503);
    const adapter = await openAdapter(profile({ connect_retries: 1 }));
    await adapter.close();
    expect(loginRequests() - before).toBe(2);

    before = loginRequests();
    fake.failNext('/session/v1/login-request', 2, 503);
    await expect(openAdapter(profile({ connect_retries: 1 }))).rejects.toThrow('Request to Snowflake failed.');
    expect(loginRequests() - before).toBe(2);
  });

  it('ends the session on the service when closed', async () => {
    const adapter = await openAdapter(profile({ client_session_keep_alive: true }));
    expect(fake.logins.at(-1)!.sessionParameters.CLIENT_SESSION_KEEP_ALIVE).toBe(true);
    const open = fake.openSessions;
    await adapter.close();
    expect(fake.openSessions).toBe(open - 1);
    expect(fake.requests.at(-1)).toMatch(/^POST \/session\?delete=true/);
  });

  it('needs a password or a private key', async () => {
    await expect(openAdapter(profile({ password: undefined }))).rejects.toThrow('a Snowflake profile needs password or private_key_path');
  });
});

describe('a monitor end to end through the Snowflake adapter', () => {
  const DAY = 86_400_000;
  const fixture = randomFixture({ seed: 7, predictions: 200, start: new Date('2026-03-25T00:00:00Z'), days: 20, maxDelayDays: 10 });
  const spec: MonitorSpec = { within: '5 days', withinMs: 5 * DAY, granularity: ['day', 'week', 'month'], segments: [{ column: 'seg_a', top: 2 }] };
  const asOf = new Date('2026-04-20T00:00:00Z');

  async function runOn(target: TestTarget) {
    const adapter = await openAdapter(target.output());
    try {
      const source = uniqueName('src');
      const output = uniqueName('hs');
      await loadFixture(adapter, source, fixture, { segments: ['seg_a', 'seg_b'] });
      const [result] = await runProject(adapter, writeProject(target, source, output, spec), { asOf });
      if (result!.error) throw result!.error;
      return { result: result!, rows: await readMetrics(adapter, output) };
    } finally {
      await adapter.close();
    }
  }

  it('writes the same metric rows as DuckDB, every statement tagged with the monitor and step', async () => {
    const first = fake.history.length;
    const snowflake = await runOn({ name: 'snowflake', type: 'snowflake', output: () => profile() });
    const duckdb = await runOn({ name: 'duckdb', type: 'duckdb', output: () => ({ type: 'duckdb', path: ':memory:' }) });
    expect(snowflake.rows.length).toBeGreaterThan(100);
    expectSameMetrics(snowflake.rows, duckdb.rows);

    const run = fake.history.slice(first).filter((h) => h.queryTag.startsWith('{'));
    const steps = new Set(run.map((h) => (JSON.parse(h.queryTag) as { step?: string }).step).filter(Boolean));
    expect([...steps]).toEqual(snowflake.result.steps.map((s) => s.name));
    expect(run.every((h) => (JSON.parse(h.queryTag) as { monitor: string }).monitor === 'm')).toBe(true);
    // The only statements that failed are the runner's probes of whether a table exists yet.
    const failed = fake.history.slice(first).filter((h) => h.status === 'FAILED');
    expect(failed.map((h) => h.sqlText).filter((sql) => !sql.endsWith(') as probe limit 0'))).toEqual([]);
  });

  it("writes the same metric rows for a user whose own date and time formats are not Snowflake's defaults", async () => {
    const bi = await runOn({ name: 'snowflake', type: 'snowflake', output: () => profile({ user: 'bi_user' }) });
    const duckdb = await runOn({ name: 'duckdb', type: 'duckdb', output: () => ({ type: 'duckdb', path: ':memory:' }) });
    expect(bi.rows.length).toBeGreaterThan(100);
    expectSameMetrics(bi.rows, duckdb.rows);
  });

  it('`hindsight debug` checks the schema outside a transaction (DDL commits on Snowflake) and drops its probe table', async () => {
    const adapter = await openAdapter(profile());
    const source = uniqueName('src');
    try {
      await loadFixture(adapter, source, fixture, { segments: ['seg_a', 'seg_b'] });
    } finally {
      await adapter.close();
    }
    const dir = writeProject({ name: 'snowflake', type: 'snowflake', output: () => profile() }, source, uniqueName('hs'), spec);
    const { result: code, printed } = await captureStdout(() => debug({ projectDir: dir }));
    expect(printed).toMatch(/can create tables \(a probe table created and dropped\)/);
    expect(code).toBe(0);
    expect(await fake.inspect(`select count(*)::int as n from information_schema.tables where table_name ilike 'hindsight_debug_probe%'`)).toEqual([{ n: 0 }]);
  });

  it('leaves the metric and evaluations tables as they were when the write step fails', async () => {
    const adapter = await openAdapter(profile());
    try {
      const source = uniqueName('src');
      const output = uniqueName('hs');
      const target: TestTarget = { name: 'snowflake', type: 'snowflake', output: () => profile() };
      await loadFixture(adapter, source, fixture, { segments: ['seg_a', 'seg_b'] });
      const dir = writeProject(target, source, output, spec);
      const [first] = await runProject(adapter, dir, { asOf });
      expect(first!.error).toBeUndefined();
      const metrics = await readMetrics(adapter, output);
      const evaluations = await adapter.query(`select count(*) as n from ${output}.m__evaluations`);

      // The service rejects the metric insert, after the write step has already deleted the
      // monitor's metric rows and replaced its evaluations: the rollback must undo both.
      fake.rejectStatements(/^\s*insert into \S*hindsight_metrics/i, 'Warehouse quota exceeded.');
      try {
        const [second] = await runProject(adapter, dir, { asOf: new Date(asOf.getTime() + 86_400_000), fullRefresh: true });
        expect(second!.status).toBe('error');
        expect(second!.error!.message).toMatch(/Warehouse quota exceeded\./);
      } finally {
        fake.rejectStatements(undefined);
      }
      expect(await readMetrics(adapter, output)).toEqual(metrics);
      expect(await adapter.query(`select count(*) as n from ${output}.m__evaluations`)).toEqual(evaluations);
      const runs = await adapter.query(`select status from ${output}.hindsight_runs order by started_at`);
      expect(runs.map((r) => r.status)).toEqual(['success', 'error']);
    } finally {
      await adapter.close();
    }
  });
});

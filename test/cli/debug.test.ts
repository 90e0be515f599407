// `hindsight debug` and connection errors: one sentence naming profile, target and field.
import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';

let out = '';
beforeEach(() => {
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((out += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

function shopWithOutput(output?: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-debug-'));
  cpSync('examples/shop', dir, { recursive: true, filter: (src) => !src.includes(join('shop', 'target')) });
  if (output) writeFileSync(join(dir, 'profiles.yml'), stringify({ shop: { target: 'dev', outputs: { dev: output } } }));
  return dir;
}

const pgUrl = process.env.HINDSIGHT_TEST_POSTGRES_URL;

describe('hindsight debug', () => {
  it('passes every check on the seeded shop example', async () => {
    const dir = shopWithOutput();
    expect(await main(['seed', '--project-dir', dir])).toBe(0);
    out = '';
    expect(await main(['debug', '--project-dir', dir])).toBe(0);
    expect(out).toMatch(/connection \.+ OK\s+v?\d/);
    expect(out).toMatch(/schema hindsight \.+ OK/);
    expect(out).toMatch(/monitor keep_probability \.+ OK/);
    expect(out).toMatch(/All checks passed/);
    // -s checks the columns of the monitors selected, and names an unknown one
    writeFileSync(join(dir, 'monitors', 'broken.yml'), readFileSync(join(dir, 'monitors', 'keep_probability.yml'), 'utf8').replace('name: keep_probability', 'name: broken').replace('score: keep_probability', 'score: no_such_column'));
    out = '';
    expect(await main(['debug', '--project-dir', dir])).toBe(2); // a configuration error, as `run` exits
    expect(out).toMatch(/monitor broken \.+ ERROR/);
    out = '';
    expect(await main(['debug', '--project-dir', dir, '-s', 'keep_probability'])).toBe(0);
    expect(out).not.toMatch(/monitor broken/);
    expect(await main(['debug', '--project-dir', dir, '-s', 'brokn'])).toBe(2);
    expect(out).toMatch(/--select: no monitor named "brokn" \(did you mean "broken"\?\)/);
  });

  it('opens as many sessions as threads asks for', async () => {
    const dir = shopWithOutput({ type: 'duckdb', path: 'target/shop.duckdb', threads: 3 });
    expect(await main(['debug', '--project-dir', dir])).toBe(2); // unseeded: the columns check fails
    expect(out).toMatch(/threads \.+ OK\s+3 sessions open at once/);
  });

  it.skipIf(!pgUrl)('says when a connection limit is below threads', async () => {
    const u = new URL(pgUrl!);
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    const role = `hs_limited_${process.pid}`;
    await admin.query(`create role ${role} login connection limit 2`);
    try {
      const dir = shopWithOutput({ type: 'postgres', host: u.hostname, port: Number(u.port), user: role, dbname: u.pathname.slice(1), threads: 4 });
      expect(await main(['debug', '--project-dir', dir])).toBe(1);
      expect(out).toMatch(/connection \.+ OK/);
      expect(out).toMatch(/threads \.+ ERROR\s+session 3 of 4: profile shop, target dev \(postgres\): too many connections for role "hs_limited_\d+"\. Lower threads, or raise the connection limit\./);
    } finally {
      await admin.query(`drop role ${role}`);
      await admin.end();
    }
  });

  it('checks the connection and the schema even when a monitor file has errors, as dbt debug does', async () => {
    const dir = shopWithOutput({ type: 'duckdb', path: 'target/shop.duckdb', threads: 2 });
    const file = join(dir, 'monitors', 'keep_probability.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('threshold: 0.5', 'threshold: 5'));
    expect(await main(['debug', '--project-dir', dir])).toBe(2); // (a configuration error, as `run` exits)
    expect(out).toMatch(/configuration \.+ ERROR\s+1 error\(s\):\n.*threshold/);
    expect(out).toMatch(/connection \.+ OK/);
    expect(out).toMatch(/threads \.+ OK\s+2 sessions open at once/);
    expect(out).toMatch(/schema hindsight \.+ OK/);
    // a profile that cannot be read is reported with the rest, and nothing connects
    writeFileSync(join(dir, 'profiles.yml'), 'shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, paht: x}\n');
    out = '';
    expect(await main(['debug', '--project-dir', dir])).toBe(2);
    expect(out).toMatch(/unknown key "paht"/);
    expect(out).not.toMatch(/connection/);
  });

  it('says which columns are missing when the sources are not there', async () => {
    const dir = shopWithOutput();
    expect(await main(['debug', '--project-dir', dir])).toBe(2);
    expect(out).toMatch(/monitor keep_probability \.+ ERROR/);
    expect(out).toMatch(/cannot read raw\.prediction_events/);
  });

  it.skipIf(!pgUrl)('names the field when the database does not exist', async () => {
    const u = new URL(pgUrl!);
    const dir = shopWithOutput({ type: 'postgres', host: u.hostname, port: Number(u.port), user: u.username, dbname: 'no_such_db' });
    expect(await main(['debug', '--project-dir', dir])).toBe(1);
    expect(out).toMatch(/profile shop, target dev \(postgres, field dbname\): database no_such_db does not exist on 127\.0\.0\.1:\d+\. Check dbname, or create the database\./);
  });

  it.skipIf(!pgUrl)('names the session setting the server rejects, and does not send debug to itself', async () => {
    const u = new URL(pgUrl!);
    const output = { type: 'postgres', host: u.hostname, port: Number(u.port), user: u.username, dbname: u.pathname.slice(1) };
    const dir = shopWithOutput({ ...output, session_settings: { work_mem: 'lots' } });
    expect(await main(['debug', '--project-dir', dir])).toBe(1);
    expect(out).toMatch(
      /connection \.+ ERROR\s+profile shop, target dev \(postgres, field session_settings\.work_mem\): the server rejects work_mem = lots \(invalid value for parameter "work_mem": "lots"\)\. Check the setting's name and value/,
    );
    // the test server has no TLS: an error no case explains, which gets the generic hint elsewhere
    const other = shopWithOutput({ ...output, sslmode: 'require' });
    out = '';
    expect(await main(['debug', '--project-dir', other])).toBe(1);
    expect(out).toMatch(/connection \.+ ERROR .*The server does not support SSL connections\. Add --debug for the full error\./);
    expect(out).not.toMatch(/Run `hindsight debug`/);
    // --debug gives what the hint promises: the driver's error, with its stack
    out = '';
    expect(await main(['debug', '--project-dir', other, '--debug'])).toBe(1);
    expect(out).toMatch(/The server does not support SSL connections\. The driver said:\n(Error: )?The server does not support SSL connections\n\s+at /);
  });

  // A role given select, insert, update and delete on hindsight's existing tables runs incrementally
  // (README, the rights a Postgres role needs): debug said it could not create tables, an error, and
  // nothing of what its runs can do; and a role without those rights passed every check but the schema's.
  it.skipIf(!pgUrl)("says which runs a Postgres role's rights allow", async () => {
    const u = new URL(pgUrl!);
    const id = `${process.pid}_${Date.now() % 100000}`;
    const [raw, oltp, hs] = [`raw_${id}`, `oltp_${id}`, `hs_${id}`];
    const owner = { type: 'postgres', host: u.hostname, port: Number(u.port), user: u.username, dbname: u.pathname.slice(1) };
    const dir = shopWithOutput(owner);
    renameSync(join(dir, 'seeds', 'raw'), join(dir, 'seeds', raw));
    renameSync(join(dir, 'seeds', 'oltp'), join(dir, 'seeds', oltp));
    const monitorFile = join(dir, 'monitors', 'keep_probability.yml');
    writeFileSync(monitorFile, readFileSync(monitorFile, 'utf8').replace('raw.prediction_events', `${raw}.prediction_events`).replace('oltp.shipment_items', `${oltp}.shipment_items`));
    writeFileSync(join(dir, 'hindsight.yml'), readFileSync(join(dir, 'hindsight.yml'), 'utf8').replace('schema: hindsight', `schema: ${hs}`));
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(0);
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    const [writer, reader] = [`hs_writer_${id}`, `hs_reader_${id}`];
    try {
      for (const role of [writer, reader]) {
        await admin.query(`create role ${role} login`);
        await admin.query(`grant usage on schema ${raw}, ${oltp}, ${hs} to ${role}`);
        await admin.query(`grant select on all tables in schema ${raw}, ${oltp} to ${role}`);
        await admin.query(`grant select on all tables in schema ${hs} to ${role}`);
      }
      await admin.query(`grant select, insert, update, delete on all tables in schema ${hs} to ${writer}`);
      const as = (role: string) => {
        writeFileSync(join(dir, 'profiles.yml'), stringify({ shop: { target: 'dev', outputs: { dev: { ...owner, user: role } } } }));
      };
      as(writer);
      out = '';
      expect(await main(['debug', '--project-dir', dir])).toBe(0);
      expect(out).toMatch(new RegExp(`schema ${hs} \\.+ OK\\s+cannot create tables \\(.*\\): its monitors' tables exist, and runs are incremental only`));
      expect(out).toMatch(new RegExp(`rights keep_probability \\.+ OK\\s+a full refresh renames its staged table over ${hs}\\.keep_probability__evaluations \\(owned by ${u.username}\\), which this role does not own`));
      // and the incremental run it allows does run
      expect(await main(['run', '--project-dir', dir, '--as-of', '2026-11-22'])).toBe(0);
      as(reader);
      out = '';
      expect(await main(['debug', '--project-dir', dir])).toBe(1);
      expect(out).toMatch(/rights keep_probability \.+ ERROR\s+cannot run: it needs usage on schema hs_\d+_\d+ and select, insert, update and delete on hs_\d+_\d+\.hindsight_metrics, hs_\d+_\d+\.hindsight_runs, hs_\d+_\d+\.keep_probability__evaluations/);
      // the owner: both kinds of run
      as(u.username);
      out = '';
      expect(await main(['debug', '--project-dir', dir])).toBe(0);
      expect(out).toMatch(/rights keep_probability \.+ OK\s+full refresh \(with the schema check's CREATE\) and incremental runs/);
      // table rights do not reach a table whose schema the role may not use
      await admin.query(`revoke usage on schema ${hs} from ${writer}`);
      as(writer);
      out = '';
      expect(await main(['debug', '--project-dir', dir])).toBe(1);
      expect(out).toMatch(/rights keep_probability \.+ ERROR\s+cannot run: it needs usage on schema/);
      expect(out).toMatch(/schema hs_\d+_\d+ \.+ ERROR\s+cannot create tables/);
    } finally {
      for (const role of [writer, reader]) await admin.query(`drop owned by ${role}; drop role ${role}`).catch(() => undefined);
      await admin.end();
    }
  });

  it('names the field when nothing listens at host:port, without a stack trace', async () => {
    const dir = shopWithOutput({ type: 'postgres', host: '127.0.0.1', port: 1, user: 'x', dbname: 'y' });
    expect(await main(['run', '--project-dir', dir])).toBe(1);
    expect(out).toMatch(/profile shop, target dev \(postgres, field host\): nothing accepts connections at 127\.0\.0\.1:1\. Check that the server runs/);
    expect(out).not.toMatch(/\n\s+at /);
  });
});

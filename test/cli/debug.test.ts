// `hindsight debug` and connection errors: one sentence naming profile, target and field.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  });

  it('names the field when nothing listens at host:port, without a stack trace', async () => {
    const dir = shopWithOutput({ type: 'postgres', host: '127.0.0.1', port: 1, user: 'x', dbname: 'y' });
    expect(await main(['run', '--project-dir', dir])).toBe(1);
    expect(out).toMatch(/profile shop, target dev \(postgres, field host\): nothing accepts connections at 127\.0\.0\.1:1\. Check that the server runs/);
    expect(out).not.toMatch(/\n\s+at /);
  });
});

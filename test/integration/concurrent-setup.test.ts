// Two hindsight processes that start together on an empty schema (two cron jobs of other monitors)
// both run setup.sql: both find the schema and hindsight's tables missing and both create them. On
// Postgres `create … if not exists` is not race-free: the second waits on the catalog's unique index
// for the first's commit, then failed with `duplicate key value violates unique constraint
// "pg_namespace_nspname_index"` (or pg_type_typname_nsp_index), and its run with it, exit code 1.
// Here the other process's setup is held open in a transaction until the run waits on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/adapters/index.js';
import { compileSetup } from '../../src/compiler/compile.js';
import { loadProject } from '../../src/config/load.js';
import { binaryMonitor, loadFixture, runProject, uniqueName, writeMonitors } from './harness.js';
import { randomFixture } from './random-data.js';
import { openTarget, TARGETS } from './targets.js';

const target = TARGETS.find((t) => t.name === 'postgres')!;
const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!!target.unavailable)('two runs that start together on an empty schema (postgres)', () => {
  let adapter: Adapter;
  let other: Adapter;
  let src: string;
  beforeAll(async () => {
    adapter = await openTarget(target);
    other = (await adapter.openSession!())!;
    src = uniqueName('src');
    const fixture = randomFixture({ seed: 11, predictions: 60, start: new Date('2026-01-20T00:00:00Z'), days: 10, maxDelayDays: 3 });
    await loadFixture(adapter, src, fixture, { segments: [] });
  });
  afterAll(async () => {
    await other?.close();
    await adapter?.close();
  });

  /** Holds the other process's setup (its statements run, not committed) until this session's next statement waits on it. */
  async function whileOtherSetupHeld(out: string, run: () => Promise<unknown>, schemaExists: boolean): Promise<unknown> {
    const dir = writeMonitors(target, out, [binaryMonitor(src, { name: 'm', within: '3 days', withinMs: 3 * DAY })]);
    const project = loadProject(dir);
    const setup = compileSetup({ monitor: project.monitors[0]!, schema: out, dialect: other.dialect, run: { asOf: new Date(), runId: 'setup', computedAt: new Date() } });
    if (schemaExists) await adapter.execute(`create schema ${out}`);
    await other.execute('begin');
    for (const statement of setup.statements) await other.execute(statement);
    const running = run().then((r) => ({ ok: r }), (error: unknown) => ({ error }));
    try {
      // until the run's session waits for the other's uncommitted schema (at most 10 s)
      for (let i = 0; i < 200; i++) {
        const [{ n }] = (await adapter.query(`select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%${out}%' and pid <> pg_backend_pid()`).catch(() => [{ n: 0 }])) as [{ n: number }];
        if (Number(n) > 0) break;
        await sleep(50);
      }
    } finally {
      await other.execute('commit');
    }
    return running;
  }

  // the schema created by both (pg_namespace_nspname_index), or only the tables (pg_type_typname_nsp_index)
  it.each([false, true])('the second run waits for the first one\'s setup and runs, where it failed with a duplicate key (schema there: %s)', async (schemaExists) => {
    const out = uniqueName('hs');
    // (a session of its own: the waiting statement blocks it)
    const session = (await adapter.openSession!())!;
    try {
      const dir = writeMonitors(target, out, [binaryMonitor(src, { name: 'm', within: '3 days', withinMs: 3 * DAY })]);
      const outcome = (await whileOtherSetupHeld(out, () => runProject(session, dir, { asOf: new Date('2026-02-01T00:00:00Z') }), schemaExists)) as { ok?: { status: string; mode?: string }[]; error?: Error };
      expect(outcome.error?.message).toBeUndefined();
      expect(outcome.ok!.map((r) => [r.status, r.mode])).toEqual([['success', 'full_refresh']]);
      const [{ n }] = (await adapter.query(`select count(*) as n from ${out}.hindsight_metrics where monitor = 'm'`)) as [{ n: number }];
      expect(Number(n)).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  });
});

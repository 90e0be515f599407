// The rows a run reports for each step are its table's rows: where the warehouse's own report of
// `create table … as` is used (DuckDB, Postgres), it equals counting the table, as the runner does
// elsewhere. Full refresh and incremental, one schema each way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/adapters/index.js';
import { loadFixture, runProject, uniqueName, writeProject, type Fixture, type MonitorSpec } from './harness.js';
import { randomFixture } from './random-data.js';
import { openTarget, TARGETS } from './targets.js';

const DAY = 86_400_000;
const spec: MonitorSpec = { within: '3 days', withinMs: 3 * DAY, granularity: ['day', 'week'], segments: [{ column: 'seg_a', top: 4 }] };

/** The adapter with or without its created-rows report, keeping the step-table counts the runner asks for. */
const recording = (a: Adapter, reports: boolean | undefined, counts: string[]): Adapter => ({
  type: a.type, dialect: a.dialect, reportsCreatedRows: reports, execute: (s) => a.execute(s), columns: (s) => a.columns(s), setContext: a.setContext?.bind(a), close: () => a.close(),
  query: (s) => {
    if (/^select count\(\*\) as n from /.test(s)) counts.push(s);
    return a.query(s);
  },
});

describe.each(TARGETS)('step rows on $name', (target) => {
  let adapter: Adapter;
  beforeAll(async () => {
    if (!target.unavailable) adapter = await openTarget(target);
  });
  afterAll(async () => adapter?.close());

  it.skipIf(target.unavailable)('are the rows of each step\'s table, full refresh and incremental', async () => {
    const fixture = randomFixture({ seed: 11, predictions: 200, start: new Date('2026-01-20T00:00:00Z'), days: 14, maxDelayDays: 3 });
    const cut = new Date('2026-01-29T00:00:00Z');
    const split = (f: Fixture, after: boolean): Fixture => ({
      predictions: f.predictions.filter((p) => (p.ts.getTime() > cut.getTime()) === after),
      outcomes: f.outcomes.filter((o) => (o.ts.getTime() > cut.getTime()) === after),
    });
    const src = uniqueName('src');
    await loadFixture(adapter, src, split(fixture, false), { segments: ['seg_a', 'seg_b'] });
    const reported = writeProject(target, src, uniqueName('hs'), spec);
    const counted = writeProject(target, src, uniqueName('hs'), spec);
    for (const [asOf, mode] of [[cut, 'full_refresh'], [new Date('2026-02-06T00:00:00Z'), 'incremental']] as const) {
      if (mode === 'incremental') await loadFixture(adapter, src, split(fixture, true), { segments: ['seg_a', 'seg_b'], append: true });
      const countsA: string[] = [];
      const countsB: string[] = [];
      const [a] = await runProject(recording(adapter, adapter.reportsCreatedRows, countsA), reported, { asOf });
      const [b] = await runProject(recording(adapter, false, countsB), counted, { asOf });
      expect([a!.mode, b!.mode]).toEqual([mode, mode]);
      const rows = (r: typeof a) => r!.steps.map((s) => [s.name, s.rows]);
      expect(rows(a)).toEqual(rows(b));
      // one count per table step where the warehouse reports no rows; none where it does (DuckDB, Postgres)
      expect(countsB).toHaveLength(b!.steps.length - 1);
      expect(countsA).toHaveLength(adapter.reportsCreatedRows ? 0 : countsB.length);
      expect(['bigquery-fake', 'snowflake-fake'].includes(target.name) || adapter.reportsCreatedRows).toBe(true);
      expect(a!.steps.filter((s) => s.name !== 'write').every((s) => s.rows > 0)).toBe(true);
    }
  });
});

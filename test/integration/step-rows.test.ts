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

/** The adapter without its created-rows report: the runner counts every step's table. */
const counting = (a: Adapter): Adapter => ({
  type: a.type, dialect: a.dialect, execute: (s) => a.execute(s), query: (s) => a.query(s), columns: (s) => a.columns(s), setContext: a.setContext?.bind(a), close: () => a.close(),
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
      const [a] = await runProject(adapter, reported, { asOf });
      const [b] = await runProject(counting(adapter), counted, { asOf });
      expect([a!.mode, b!.mode]).toEqual([mode, mode]);
      const rows = (r: typeof a) => r!.steps.map((s) => [s.name, s.rows]);
      expect(rows(a)).toEqual(rows(b));
      expect(a!.steps.filter((s) => s.name !== 'write').every((s) => s.rows > 0)).toBe(true);
    }
  });
});

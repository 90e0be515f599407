// An incremental run after new data arrives gives exactly the tables of a full refresh, and a run
// that fails while writing leaves every row as it was.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/adapters/index.js';
import { dialectFor, type Dialect } from '../../src/dialects/index.js';
import type { Monitor } from '../../src/config/monitor.js';
import { previousRun } from '../../src/runner/run-log.js';
import { stagedTable } from '../../src/compiler/names.js';
import type { Fixture } from './harness.js';
import { referencePipeline } from '../reference/pipeline.js';
import { expectSameMetrics, expectStoredInOrder, loadFixture, readMetrics, referenceConfig, rejectMetricRows, runProject, uniqueName, writeProject, type MonitorSpec } from './harness.js';
import { productionOnly, prng, randomFixture } from './random-data.js';
import { openTarget, TARGETS } from './targets.js';

const DAY = 86_400_000;
const spec: MonitorSpec = {
  within: '5 days', withinMs: 5 * DAY, granularity: ['day', 'week', 'month'],
  segments: [{ column: 'seg_a', top: 50 }, { column: 'seg_b', top: 3 }],
};

/** Splits events into what had arrived by `cut` and what arrives after (data arrive in time order). */
function splitAt(f: Fixture, cut: Date): [Fixture, Fixture] {
  const before = (t: Date) => t.getTime() <= cut.getTime();
  return [
    { predictions: f.predictions.filter((p) => before(p.ts)), outcomes: f.outcomes.filter((o) => before(o.ts)) },
    { predictions: f.predictions.filter((p) => !before(p.ts)), outcomes: f.outcomes.filter((o) => !before(o.ts)) },
  ];
}

const stripRun = async (adapter: Adapter, schema: string, table: string, orderBy: string) =>
  adapter.query(`select * from ${adapter.dialect.quote(schema)}.${adapter.dialect.quote(table)} order by ${orderBy}`);

describe.each(TARGETS)('incremental runs on $name', (target) => {
  let adapter: Adapter;
  beforeAll(async () => {
    if (!target.unavailable) adapter = await openTarget(target);
  });
  afterAll(async () => adapter?.close());

  /** 20 days of predictions from 2026-01-20 (outcomes up to 4 days late), run in full as of 2026-02-14, after all of them. */
  async function twentyDaysRun(seed: number, m: MonitorSpec = spec) {
    const fixture = randomFixture({ seed, predictions: 300, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 4 });
    const src = uniqueName('src');
    const out = uniqueName('hs');
    await loadFixture(adapter, src, fixture, { segments: ['seg_a', 'seg_b'] });
    const dir = writeProject(target, src, out, m);
    const [first] = await runProject(adapter, dir, { asOf: new Date('2026-02-14T00:00:00Z') });
    return { fixture, src, out, dir, first: first! };
  }

  /** The metric and evaluation rows of two output schemas are equal, exactly. */
  async function expectSameRows(out: string, out2: string) {
    expect(await readMetrics(adapter, out)).toEqual(await readMetrics(adapter, out2));
    expect(await stripRun(adapter, out, 'm__evaluations', 'pid')).toEqual(await stripRun(adapter, out2, 'm__evaluations', 'pid'));
  }

  /** The metric and evaluation rows in `out` equal those of a full refresh of `src` as of `asOf`. */
  async function expectFullRefreshRows(src: string, out: string, asOf: Date, m: MonitorSpec = spec) {
    const out2 = uniqueName('hs');
    await runProject(adapter, writeProject(target, src, out2, m), { asOf, fullRefresh: true });
    await expectSameRows(out, out2);
  }

  const firstAsOf = new Date('2026-02-10T06:00:00Z');
  const secondAsOf = new Date('2026-02-17T18:00:00Z');

  /**
   * The events of `fixture` that had arrived by `firstAsOf` are loaded and run (a full refresh), the
   * rest appended and run again (incremental, as of `secondAsOf`); and all of them loaded into another
   * schema and run as a full refresh as of `secondAsOf`. `prepare` runs after each load.
   */
  async function incrementalAndFullRefresh(fixture: Fixture, m: MonitorSpec, prepare: (schema: string) => Promise<void> = async () => {}, dates = false) {
    const [first, later] = splitAt(fixture, firstAsOf);
    const srcA = uniqueName('src');
    const outA = uniqueName('hs');
    await loadFixture(adapter, srcA, first, { segments: ['seg_a', 'seg_b'], dates });
    await prepare(srcA);
    const dirA = writeProject(target, srcA, outA, m);
    expect((await runProject(adapter, dirA, { asOf: firstAsOf }))[0]!.mode).toBe('full_refresh');
    await loadFixture(adapter, srcA, later, { segments: ['seg_a', 'seg_b'], append: true, dates });
    await prepare(srcA);
    const [incremental] = await runProject(adapter, dirA, { asOf: secondAsOf });
    expect(incremental!.error).toBeUndefined();
    expect(incremental!.mode).toBe('incremental');

    const srcB = uniqueName('src');
    const outB = uniqueName('hs');
    await loadFixture(adapter, srcB, fixture, { segments: ['seg_a', 'seg_b'], dates });
    await prepare(srcB);
    expect((await runProject(adapter, writeProject(target, srcB, outB, m), { asOf: secondAsOf, fullRefresh: true }))[0]!.mode).toBe('full_refresh');
    return { incremental: incremental!, outA, srcB, outB };
  }

  it.skipIf(!!target.unavailable).each([
    { seed: 11, dedupe: 'latest' as const },
    { seed: 12, dedupe: 'earliest' as const },
    { seed: 13, dedupe: 'latest' as const, scoreBins: 100 },
    // outcomes up to 30 days late: new late outcomes of predictions kept before the recomputed range
    { seed: 14, dedupe: 'earliest' as const, maxDelayDays: 30 },
  ])('equal a full refresh after appending data (seed $seed, dedupe $dedupe, score bins $scoreBins, max delay $maxDelayDays)', async ({ seed, dedupe, scoreBins, maxDelayDays }) => {
    const fixture = randomFixture({ seed, predictions: 800, start: new Date('2026-01-20T00:00:00Z'), days: 40, maxDelayDays: maxDelayDays ?? 8 });
    const m: MonitorSpec = { ...spec, predictionDedupe: dedupe, outcomeDedupe: dedupe, ...(scoreBins ? { scoreBins } : {}) };
    const { incremental, outA, outB } = await incrementalAndFullRefresh(fixture, m);
    // it recomputed a recent slice only, not the whole history
    expect(incremental.recomputeFrom!.getTime()).toBeGreaterThan(new Date('2026-01-20T00:00:00Z').getTime());
    if (target.name === 'duckdb') await expectStoredInOrder(adapter, outB, 'predicted_at');

    expect((await readMetrics(adapter, outA)).length).toBeGreaterThan(1000);
    await expectSameRows(outA, outB); // exactly, not approximately
  });

  // A process killed during a full refresh leaves its staged table (a whole copy of the evaluations),
  // which nothing dropped: the monitor's next run does, and only its own.
  // (where DDL is transactional: there a full refresh stages its evaluations table in the schema)
  it.skipIf(!!target.unavailable || !dialectFor(target.type).capabilities.transactionalDdl)('the next run drops the staged tables a killed run of the monitor left', async () => {
    const { out, dir } = await twentyDaysRun(35);
    const d = adapter.dialect;
    const names = ['hs_m__evaluations_deadbeef', 'hs_m__mase_history_0123abcd', 'hs_m__evaluations_keepme', 'hs_m2__evaluations_deadbeef'];
    for (const name of names) await adapter.execute(`create table ${d.quote(out)}.${d.quote(name)} as select 1 as x`);
    const [run] = await runProject(adapter, dir, { asOf: new Date('2026-02-15T00:00:00Z') });
    expect([run!.error, run!.mode]).toEqual([undefined, 'incremental']);
    const left = await adapter.query(`select table_name from information_schema.tables where table_schema = ${d.string(out)} and table_name like 'hs%' order by 1`);
    expect(left.map((r) => r.table_name)).toEqual(['hs_m2__evaluations_deadbeef', 'hs_m__evaluations_keepme']);
  });

  // Postgres rewrites only the evaluation rows that changed, comparing whole rows of the tables it
  // aliases `computed` and `stored`: segment columns of those names were compared instead (always
  // equal here, so no row was rewritten and the pending ones stayed pending).
  it.skipIf(!!target.unavailable)('segment columns named computed and stored: an incremental run equals a full refresh', async () => {
    const fixture = randomFixture({ seed: 16, predictions: 600, start: new Date('2026-01-20T00:00:00Z'), days: 40, maxDelayDays: 8 });
    for (const p of fixture.predictions) p.segments = { computed: p.segments.seg_a ?? null, stored: p.segments.seg_a ?? null };
    const m: MonitorSpec = { ...spec, segments: [{ column: 'computed', top: 50 }, { column: 'stored', top: 50 }] };
    const [first, later] = splitAt(fixture, firstAsOf);
    const [srcA, outA, srcB, outB] = [uniqueName('src'), uniqueName('hs'), uniqueName('src'), uniqueName('hs')];
    await loadFixture(adapter, srcA, first, { segments: ['computed', 'stored'] });
    const dirA = writeProject(target, srcA, outA, m);
    expect((await runProject(adapter, dirA, { asOf: firstAsOf }))[0]!.error).toBeUndefined();
    await loadFixture(adapter, srcA, later, { segments: ['computed', 'stored'], append: true });
    const [incremental] = await runProject(adapter, dirA, { asOf: secondAsOf });
    expect([incremental!.error, incremental!.mode]).toEqual([undefined, 'incremental']);
    await loadFixture(adapter, srcB, fixture, { segments: ['computed', 'stored'] });
    await runProject(adapter, writeProject(target, srcB, outB, m), { asOf: secondAsOf, fullRefresh: true });
    await expectSameRows(outA, outB);
  });

  // Windows without a prediction event get prediction_events 0 (docs/semantics.md §6): a gap that
  // the first run (as of 02-10 06:00) ends in, and one after the last prediction, to the second as-of
  // (02-17 18:00). The incremental run writes the same zero rows as a full refresh.
  it.skipIf(!!target.unavailable)('a gap in the predictions is a prediction_events row of 0, incremental as in a full refresh', async () => {
    const fixture = randomFixture({ seed: 19, predictions: 800, start: new Date('2026-01-20T00:00:00Z'), days: 40, maxDelayDays: 8 });
    const gap = (t: Date) => (t >= new Date('2026-02-06T00:00:00Z') && t < new Date('2026-02-12T00:00:00Z')) || t >= new Date('2026-02-15T00:00:00Z');
    fixture.predictions = fixture.predictions.filter((p) => !gap(p.ts));
    const { outA, outB } = await incrementalAndFullRefresh(fixture, spec);
    await expectSameRows(outA, outB);
    const zeros = (await readMetrics(adapter, outA)).filter((r) => r.metric === 'prediction_events' && r.value === 0);
    // (every day of the gaps: the fixture has a prediction on every other day from its first)
    const days = (from: string, to: string) => Array.from({ length: (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1 }, (_, i) => new Date(Date.parse(from) + i * 86_400_000).toISOString());
    expect(zeros.filter((r) => r.granularity === 'day').map((r) => [r.windowStart, r.modelVersion, r.sampleSize])).toEqual(
      [...days('2026-02-06T00:00:00Z', '2026-02-11T00:00:00Z'), ...days('2026-02-15T00:00:00Z', '2026-02-17T00:00:00Z')].map((w) => [w, null, 0]),
    );
    // the week of Monday 02-16, under way at the as-of, has none either; every month has some
    expect(zeros.filter((r) => r.granularity !== 'day').map((r) => [r.granularity, r.windowStart])).toEqual([['week', '2026-02-16T00:00:00.000Z']]);
  });

  // The second run's range starts at 2026-02-05 06:00 (the first as-of minus within): the day of it is
  // evaluated again, while its week (from 2026-02-02) and month (from 2026-02-01) are recomputed with
  // their first days read as stored. Without day windows, the range starts at the week.
  it.skipIf(!!target.unavailable).each([
    { granularity: ['day', 'week', 'month'] as MonitorSpec['granularity'], evaluatedFrom: '2026-02-05T00:00:00Z', recomputedFrom: '2026-02-01T00:00:00.000Z' },
    { granularity: ['week'] as MonitorSpec['granularity'], evaluatedFrom: '2026-02-02T00:00:00Z', recomputedFrom: '2026-02-02T00:00:00.000Z' },
  ])('evaluate again only from the first recomputed day when there are day windows ($granularity)', async ({ granularity, evaluatedFrom, recomputedFrom }) => {
    const fixture = randomFixture({ seed: 15, predictions: 600, start: new Date('2026-01-20T00:00:00Z'), days: 40, maxDelayDays: 8 });
    const m: MonitorSpec = { ...spec, granularity };
    const { incremental, outA, outB } = await incrementalAndFullRefresh(fixture, m);
    expect(incremental.recomputeFrom!.toISOString()).toBe(recomputedFrom);
    // the prediction events step reads the events from the evaluated start on, and no earlier one
    const from = new Date(evaluatedFrom).getTime();
    const read = productionOnly(fixture).predictions.filter((p) => p.ts.getTime() >= from && p.ts.getTime() <= secondAsOf.getTime());
    expect(incremental.steps.find((s) => s.name === 'prediction_events')!.rows).toBe(read.length);
    await expectSameRows(outA, outB);
  });

  // A nightly load puts the outcomes of a day in the warehouse at 02:00 the next day, timed that day:
  // after the run of that day, which had planned from an as-of after them. With `load_delay: 1 day`
  // each daily run reads data as of a day earlier, all arrived, and the chain equals a full refresh;
  // without it, outcomes that arrived after a run that had passed their time were never counted.
  it.skipIf(!!target.unavailable)('with a load_delay, outcomes loaded the night after their time count as a full refresh counts them', async () => {
    const fixture = randomFixture({ seed: 18, predictions: 400, start: new Date('2026-01-20T00:00:00Z'), days: 24, maxDelayDays: 4 });
    const arrival = (ts: Date) => new Date(Math.floor(ts.getTime() / DAY) * DAY + DAY + 2 * 3_600_000);
    const runs = [0, 1, 2, 3, 4, 5, 6].map((k) => new Date(Date.UTC(2026, 0, 28 + 3 * k, 6)));
    const chain = async (m: MonitorSpec) => {
      const src = uniqueName('src');
      const out = uniqueName('hs');
      const dir = writeProject(target, src, out, m);
      let loaded = new Date(0);
      for (const [k, at] of runs.entries()) {
        const since = (t: Date) => t.getTime() > loaded.getTime() && t.getTime() <= at.getTime();
        const arrived = { predictions: fixture.predictions.filter((p) => since(p.ts)), outcomes: fixture.outcomes.filter((o) => since(arrival(o.ts))) };
        await loadFixture(adapter, src, arrived, { segments: ['seg_a', 'seg_b'], append: k > 0 });
        loaded = at;
        const [result] = await runProject(adapter, dir, { asOf: at });
        expect(result!.error).toBeUndefined();
        expect(result!.mode).toBe(k === 0 ? 'full_refresh' : 'incremental');
      }
      // everything arrived since: a full refresh as of the last run
      const full = uniqueName('hs');
      const all = uniqueName('src');
      await loadFixture(adapter, all, fixture, { segments: ['seg_a', 'seg_b'] });
      const [rebuilt] = await runProject(adapter, writeProject(target, all, full, m), { asOf: runs.at(-1)!, fullRefresh: true });
      return { chained: await readMetrics(adapter, out), rebuilt: await readMetrics(adapter, full), asOf: rebuilt!.asOf };
    };
    const delayed = await chain({ ...spec, loadDelay: '1 day' });
    expect(delayed.asOf).toEqual(new Date(runs.at(-1)!.getTime() - DAY));
    expect(delayed.chained.length).toBeGreaterThan(500);
    expectSameMetrics(delayed.chained, delayed.rebuilt);
    const undelayed = await chain(spec);
    expect(undelayed.chained).not.toEqual(undelayed.rebuilt);
  });

  // Postgres cuts a name longer than 63 bytes: with a monitor name of 50 characters or more, the
  // session tables of two steps (…__outcome_events and …__outcome_matches) had become one, and a
  // staged evaluations table lost the run id that keeps concurrent runs apart (src/compiler/names.ts).
  it.skipIf(!!target.unavailable)('with a monitor name of 60 characters: the rows of a short name, under the documented table names', async () => {
    const long = 'monitor_with_the_longest_name_allowed'.padEnd(60, '_0123456789');
    expect(long).toHaveLength(60);
    const fixture = randomFixture({ seed: 17, predictions: 400, start: new Date('2026-01-20T00:00:00Z'), days: 40, maxDelayDays: 8 });
    const [first, later] = splitAt(fixture, firstAsOf);
    const src = uniqueName('src');
    await loadFixture(adapter, src, first, { segments: ['seg_a', 'seg_b'] });
    const [outShort, outLong] = [uniqueName('hs'), uniqueName('hs')];
    const dirs = [writeProject(target, src, outShort, spec), writeProject(target, src, outLong, { ...spec, name: long })];
    for (const [asOf, mode] of [[firstAsOf, 'full_refresh'], [secondAsOf, 'incremental']] as const) {
      if (mode === 'incremental') await loadFixture(adapter, src, later, { segments: ['seg_a', 'seg_b'], append: true });
      for (const dir of dirs) {
        const [result] = await runProject(adapter, dir, { asOf });
        expect(result!.error).toBeUndefined();
        expect(result!.mode).toBe(mode);
      }
    }
    const metrics = await readMetrics(adapter, outLong, long);
    expect(metrics.length).toBeGreaterThan(500);
    expect(metrics).toEqual(await readMetrics(adapter, outShort));
    expect(await stripRun(adapter, outLong, `${long}__evaluations`, 'pid')).toEqual(await stripRun(adapter, outShort, 'm__evaluations', 'pid'));
  });

  // A source partitioned by day often has a DATE column for its time: read as that day's midnight
  // UTC. GoogleSQL compares no DATE with a TIMESTAMP, so BigQuery's SQL bounds it by days
  // (Dialect.timeFilter); the as-of times here are not midnight, which takes its exact comparison too.
  it.skipIf(!!target.unavailable)('DATE time columns: an incremental run equals a full refresh, which equals the reference', async () => {
    const random = randomFixture({ seed: 16, predictions: 600, start: new Date('2026-01-20T00:00:00Z'), days: 40, maxDelayDays: 8 });
    const midnight = (t: Date) => new Date(Math.floor(t.getTime() / DAY) * DAY);
    const fixture: Fixture = {
      predictions: random.predictions.map((p) => ({ ...p, ts: midnight(p.ts) })),
      outcomes: random.outcomes.map((o) => ({ ...o, ts: midnight(o.ts) })),
    };
    const { incremental, outA, outB } = await incrementalAndFullRefresh(fixture, spec, undefined, true);
    expect(incremental.recomputeFrom!.getTime()).toBeGreaterThan(new Date('2026-01-20T00:00:00Z').getTime());
    await expectSameRows(outA, outB);
    const expected = referencePipeline(productionOnly(fixture).predictions, fixture.outcomes, referenceConfig(spec, secondAsOf));
    const actual = await readMetrics(adapter, outB);
    expect(actual.length).toBeGreaterThan(1000);
    expectSameMetrics(actual, expected.metrics);
  });

  /**
   * Adds microseconds to the events of `schema` that have none (the ones just loaded): the warehouse
   * keeps them, JavaScript Dates do not, so the plan's literal cut from a time read back must not lose
   * the row it was read from. SQL of DuckDB and Postgres.
   */
  async function addMicroseconds(schema: string) {
    const d = adapter.dialect;
    const duckdb = target.name === 'duckdb';
    const micros = (text: string) => (duckdb ? `to_microseconds(cast(1 + hash(${text}) % 999999 as bigint))` : `make_interval(secs => (1 + abs(hashtext(${text})) % 999999) / 1e6)`);
    const whole = (column: string) => (duckdb ? `epoch_us(${column}) % 1000000 = 0` : `extract(microseconds from ${column})::bigint % 1000000 = 0`);
    await adapter.execute(`update ${d.quote(schema)}.predictions set predicted_at = predicted_at + ${micros('pid || cast(predicted_at as varchar)')} where ${whole('predicted_at')}`);
    await adapter.execute(`update ${d.quote(schema)}.outcomes set observed_at = observed_at + ${micros('outcome_pid || cast(observed_at as varchar)')} where ${whole('observed_at')}`);
  }

  it.skipIf(!!target.unavailable || !['duckdb', 'postgres'].includes(target.name)).each([
    { seed: 100, dedupe: 'latest' as const },
    { seed: 102, dedupe: 'earliest' as const },
  ])('equal a full refresh with microsecond times and keys re-logged after the first run (seed $seed, dedupe $dedupe)', async ({ seed, dedupe }) => {
    const fixture = randomFixture({ seed, predictions: 500, start: new Date('2026-01-20T00:00:00Z'), days: 40, maxDelayDays: 8 });
    // 5% of the keys predicted before the first run are logged again, with another score, before the second
    const rand = prng(seed);
    const relogged = fixture.predictions
      .filter((p) => p.ts <= firstAsOf && rand() < 0.05)
      .map((p) => ({ ...p, ts: new Date(Math.round((firstAsOf.getTime() + rand() * (secondAsOf.getTime() - firstAsOf.getTime())) / 1000) * 1000), score: Math.round(rand() * 100) / 100 }));
    expect(relogged.length).toBeGreaterThan(5);
    const all: Fixture = { predictions: [...fixture.predictions, ...relogged], outcomes: fixture.outcomes };
    const m: MonitorSpec = { ...spec, predictionDedupe: dedupe, outcomeDedupe: 'latest' };
    const { incremental, outA, srcB, outB } = await incrementalAndFullRefresh(all, m, addMicroseconds);
    // dedupe latest: back to the month of the earliest replaced prediction; earliest: from previous as-of - within
    expect(incremental.recomputeFrom!.toISOString()).toBe(dedupe === 'latest' ? '2026-01-01T00:00:00.000Z' : '2026-02-01T00:00:00.000Z');

    const [counted] = await adapter.query(`select count(*) as n from ${adapter.dialect.quote(srcB)}.predictions where predicted_at <> date_trunc('second', predicted_at)`);
    expect(Number(counted!.n)).toBe(all.predictions.length); // every event has microseconds
    await expectSameRows(outA, outB);
  });

  it.skipIf(!!target.unavailable)('a late outcome adds to its window\'s outcomes_late count and leaves its other rows as stored', async () => {
    const { fixture, src, out, dir, first } = await twentyDaysRun(31);

    // one outcome for a prediction of 2026-01-25, 20 days after it (within is 5 days): late
    const day = '2026-01-25T00:00:00.000Z';
    const prediction = fixture.predictions.find((p) => p.ts.toISOString().slice(0, 10) === day.slice(0, 10) && p.score !== null)!;
    const d = adapter.dialect;
    const windowRows = () =>
      adapter.query(
        `select metric, run_id, value, sample_size from ${d.quote(out)}.hindsight_metrics where granularity = 'day' and window_start = ${d.timestamp(new Date(day))} and segment is null and model_version ${prediction.modelVersion === null ? 'is null' : `= ${d.string(prediction.modelVersion)}`}`,
      );
    const before = await windowRows();
    const late: Fixture = { predictions: [], outcomes: [{ key: prediction.key, ts: new Date('2026-02-15T00:00:00Z'), label: 1 }] };
    await loadFixture(adapter, src, late, { segments: ['seg_a', 'seg_b'], append: true });
    const [second] = await runProject(adapter, dir, { asOf: new Date('2026-02-16T00:00:00Z') });
    expect(second!.mode).toBe('incremental');
    // not back to the late outcome's prediction: from the month of the previous as-of minus within
    expect(second!.recomputeFrom!.toISOString()).toBe('2026-02-01T00:00:00.000Z');

    const rows = await windowRows();
    const row = (rs: Record<string, unknown>[], metric: string) => rs.find((r) => r.metric === metric)!;
    expect(row(rows, 'roc_auc').run_id).toBe(first.runId);
    expect(row(rows, 'count').run_id).toBe(first.runId);
    expect(row(rows, 'prediction_events').run_id).toBe(first.runId);
    expect(row(rows, 'outcomes_late').run_id).toBe(second!.runId);
    expect(Number(row(rows, 'outcomes_late').value)).toBe(Number(row(before, 'outcomes_late').value) + 1);
    expect(Number(row(rows, 'outcomes_late').sample_size)).toBe(Number(row(before, 'outcomes_late').sample_size) + 1);
    expect(new Set(rows.map((r) => r.metric)).size).toBe(rows.length); // no metric written twice
    // rows written: the metric rows the run inserted and those it added late outcomes to, every row of its run_id
    const ofRun = await adapter.query(`select count(*) as n from ${d.quote(out)}.hindsight_metrics where run_id = ${d.string(second!.runId)}`);
    expect(second!.rowsWritten).toBe(Number(ofRun[0]!.n));

    // and the tables equal a full refresh's
    await expectFullRefreshRows(src, out, new Date('2026-02-16T00:00:00Z'));
  });

  it.skipIf(!!target.unavailable)('an outcome logged after a run with an earlier time counts when its prediction is at or after the evaluated start', async () => {
    // Out of time order (docs/semantics.md §7): the previous as-of is at noon, so the run evaluates
    // again from midnight before its affected_from; the evaluation rows from there on are rewritten
    // too, and a week recomputed later reads them as this run left them.
    const fixture = randomFixture({ seed: 35, predictions: 300, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 4 });
    const p: Fixture['predictions'][number] = { key: ['late-1'], ts: new Date('2026-02-09T08:00:00Z'), score: 0.8, modelVersion: null, segments: { seg_a: 'a', seg_b: 'b' } };
    const [src, out] = [uniqueName('src'), uniqueName('hs')];
    await loadFixture(adapter, src, { predictions: [...fixture.predictions, p], outcomes: fixture.outcomes }, { segments: ['seg_a', 'seg_b'] });
    const dir = writeProject(target, src, out, spec);
    await runProject(adapter, dir, { asOf: new Date('2026-02-14T12:00:00Z') }); // its window closed at 08:00: missing
    const status = async () => (await adapter.query(`select label_status from ${adapter.dialect.quote(out)}.m__evaluations where pid = 'late-1'`))[0]!.label_status;
    expect(await status()).toBe('missing');
    await loadFixture(adapter, src, { predictions: [], outcomes: [{ key: ['late-1'], ts: new Date('2026-02-11T00:00:00Z'), label: 1 }] }, { segments: ['seg_a', 'seg_b'], append: true });
    for (const asOf of ['2026-02-15T00:00:00Z', '2026-02-20T00:00:00Z']) {
      const [run] = await runProject(adapter, dir, { asOf: new Date(asOf) });
      expect(run!.mode).toBe('incremental');
    }
    expect(await status()).toBe('observed');
    await expectFullRefreshRows(src, out, new Date('2026-02-20T00:00:00Z'));
  });

  it.skipIf(!!target.unavailable)('a re-logged prediction of an old key (dedupe: latest) recomputes from the window it leaves', async () => {
    const { fixture, src, out, dir } = await twentyDaysRun(32);

    // a newer event for the key of a prediction of 2026-01-25, with another score: it replaces the kept one
    const old = fixture.predictions.find((p) => p.ts.toISOString().startsWith('2026-01-25') && p.score !== null)!;
    const relogged: Fixture = { predictions: [{ ...old, ts: new Date('2026-02-15T00:00:00Z'), score: old.score === 0.5 ? 0.55 : 0.5 }], outcomes: [] };
    await loadFixture(adapter, src, relogged, { segments: ['seg_a', 'seg_b'], append: true });
    const asOf = new Date('2026-02-16T00:00:00Z');
    const [second] = await runProject(adapter, dir, { asOf });
    expect(second!.mode).toBe('incremental');
    expect(second!.recomputeFrom!.toISOString()).toBe('2026-01-01T00:00:00.000Z'); // the month of 2026-01-25

    await expectFullRefreshRows(src, out, asOf);
  });

  // Go's zero time and .NET's DateTime.MinValue log as 0001-01-01. The runner computed the incremental
  // range's window starts with Date.UTC, which reads years 0-99 as 1900-1999: a placeholder prediction
  // re-logged with its real time recomputed from 1901-01-01, so the placeholder stayed kept (before the
  // evaluated start) and the real event, new, was counted a removed duplicate, with no error: on DuckDB
  // March's count was 1 where a full refresh has 2, and month 0001-01 had missing 1 (0) and
  // duplicates_removed 0 (1).
  it.skipIf(!!target.unavailable)('a re-logged prediction of a placeholder time 0001-01-01 (dedupe: latest): incremental equals a full refresh', async () => {
    const m: MonitorSpec = { within: '2 days', withinMs: 2 * DAY, granularity: ['month'] };
    const event = (id: string, ts: string, score: number) => ({ key: [id], ts: new Date(ts), score, modelVersion: 'v1', segments: { seg_a: 'a', seg_b: 'x' } });
    const first: Fixture = {
      predictions: [event('a', '0001-01-01T00:00:00Z', 0.9), event('b', '2026-03-09T10:00:00Z', 0.2)],
      outcomes: [{ key: ['b'], ts: new Date('2026-03-09T12:00:00Z'), label: 0 }],
    };
    const later: Fixture = { predictions: [event('a', '2026-03-11T10:00:00Z', 0.8)], outcomes: [{ key: ['a'], ts: new Date('2026-03-11T12:00:00Z'), label: 1 }] };
    const src = uniqueName('src');
    const out = uniqueName('hs');
    await loadFixture(adapter, src, first, { segments: ['seg_a', 'seg_b'] });
    const dir = writeProject(target, src, out, m);
    expect((await runProject(adapter, dir, { asOf: new Date('2026-03-10T00:00:00Z') }))[0]!.error).toBeUndefined();
    await loadFixture(adapter, src, later, { segments: ['seg_a', 'seg_b'], append: true });
    const asOf = new Date('2026-03-12T00:00:00Z');
    const [second] = await runProject(adapter, dir, { asOf });
    expect(second!.error).toBeUndefined();
    // (Postgres has no year 0, where a bound a day or a window before 0001-01-01 falls: its run is a full refresh)
    if (target.type !== 'postgres') expect([second!.mode, second!.recomputeFrom?.toISOString()]).toEqual(['incremental', '0001-01-01T00:00:00.000Z']);
    const rows = await readMetrics(adapter, out);
    const month = (start: string, metric: string) => rows.find((r) => r.windowStart === start && r.metric === metric && r.segment === null && r.modelVersion === 'v1')?.value;
    expect([month('2026-03-01T00:00:00.000Z', 'count'), month('0001-01-01T00:00:00.000Z', 'duplicates_removed'), month('0001-01-01T00:00:00.000Z', 'missing')]).toEqual([2, 1, 0]);
    await expectFullRefreshRows(src, out, asOf, m);
  }, 300_000);

  // A table written by an earlier version of hindsight, with other columns: adding to it failed (with
  // day windows, at the evaluations step, which reads the stored first days of a recomputed week),
  // or where DDL is not transactional the runner replaced it with an empty table and the run wrote
  // only its own range (week windows alone: every stored evaluation was lost). So the run is a full
  // refresh instead, and says why.
  const legacyColumn = (table: string, d: Dialect) => `alter table ${table} add column legacy_flag ${d.types.bigint}`;
  it.skipIf(!!target.unavailable).each([
    { change: 'with a column since removed', alter: legacyColumn, reason: /m__evaluations.* \(no longer written: legacy_flag\)/, m: spec },
    { change: 'without a column added since', alter: (table: string) => `alter table ${table} drop column label_delay_hours`, reason: /m__evaluations.* \(new: label_delay_hours\)/, m: spec },
    { change: 'with a column since removed, week windows alone', alter: legacyColumn, reason: /m__evaluations.* \(no longer written: legacy_flag\)/, m: { ...spec, granularity: ['week'] as MonitorSpec['granularity'] } },
  ])('a stored evaluations table $change: the next run is a full refresh', async ({ alter, reason, m }) => {
    const { src, out, dir } = await twentyDaysRun(33, m);
    await adapter.execute(alter(`${out}.m__evaluations`, adapter.dialect));
    const asOf = new Date('2026-02-16T00:00:00Z');
    const [second] = await runProject(adapter, dir, { asOf });
    expect(second!.error).toBeUndefined();
    expect([second!.mode, second!.reason]).toEqual(['full_refresh', expect.stringMatching(reason)]);
    const runs = await adapter.query(`select status, mode from ${out}.hindsight_runs order by started_at`);
    expect(runs).toEqual([{ status: 'success', mode: 'full_refresh' }, { status: 'success', mode: 'full_refresh' }]);
    await expectFullRefreshRows(src, out, asOf, m);
    // and the next run adds to the table the full refresh wrote
    expect((await runProject(adapter, dir, { asOf: new Date('2026-02-17T00:00:00Z') }))[0]!.mode).toBe('incremental');
  });

  // A dashboard reads which windows are final from hindsight_runs: final_before, the data as-of less
  // `within`. A runs table an earlier version made (without the column) gets it, and its rows keep NULL.
  it.skipIf(!!target.unavailable)('each run records final_before, in a runs table an earlier version made too', async () => {
    const d = adapter.dialect;
    const fixture = randomFixture({ seed: 19, predictions: 200, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 4 });
    const src = uniqueName('src');
    const out = uniqueName('hs');
    await loadFixture(adapter, src, fixture, { segments: ['seg_a', 'seg_b'] });
    const text = d.types.text;
    const time = d.types.timestamp;
    // hindsight_runs as 2d14c79 made it, with a record of its own
    await adapter.execute(`create schema if not exists ${d.quote(out)}`);
    await adapter.execute(`create table ${d.quote(out)}.hindsight_runs (run_id ${text} not null, monitor ${text} not null, target ${text} not null, started_at ${time} not null, finished_at ${time} not null, status ${text} not null, error ${text}, rows_written ${d.types.bigint}, hindsight_version ${text} not null, sql_sha256 ${text} not null, as_of ${time} not null, mode ${text} not null, recompute_from ${time}, config_hash ${text} not null)`);
    await adapter.execute(`insert into ${d.quote(out)}.hindsight_runs values ('old', 'other', 't', ${d.timestamp(new Date(0))}, ${d.timestamp(new Date(0))}, 'success', null, 0, '0.1.0', 'x', ${d.timestamp(new Date(0))}, 'full_refresh', null, 'x')`);
    // read as it is, before any run adds the columns (show reads it so)
    expect(await previousRun(adapter, `${d.quote(out)}.hindsight_runs`, { name: 'other' } as Monitor)).toEqual({ runId: 'old', asOf: new Date(0), configHash: 'x' });
    const dir = writeProject(target, src, out, { ...spec, loadDelay: '6 hours' });
    const asOf = new Date('2026-02-14T00:00:00Z');
    const [first] = await runProject(adapter, dir, { asOf });
    expect(first!.error).toBeUndefined();
    const dataAsOf = new Date(asOf.getTime() - 6 * 3_600_000);
    expect([first!.asOf, first!.finalBefore]).toEqual([dataAsOf, new Date(dataAsOf.getTime() - 5 * DAY)]);
    const rows = await adapter.query(`select run_id, as_of, final_before from ${d.quote(out)}.hindsight_runs order by started_at`);
    expect(rows.map((r) => [r.run_id === 'old' ? 'old' : 'new', (r.as_of as Date).toISOString(), (r.final_before as Date | null)?.toISOString() ?? null])).toEqual([
      ['old', new Date(0).toISOString(), null],
      ['new', dataAsOf.toISOString(), new Date(dataAsOf.getTime() - 5 * DAY).toISOString()],
    ]);
    // and the next run, over the table as this version left it
    expect((await runProject(adapter, dir, { asOf: new Date('2026-02-15T00:00:00Z') }))[0]!.mode).toBe('incremental');
  });

  // A changed configuration makes the next run a full refresh, which says what changed (from the
  // configuration the last run kept in hindsight_runs.config), not only that something did.
  it.skipIf(!!target.unavailable)('a full refresh after a configuration change names what changed', async () => {
    const { src, out, dir } = await twentyDaysRun(34);
    // `within` spelt otherwise is the same configuration: the next run stays incremental
    const respelt = writeProject(target, src, out, { ...spec, within: '120 hours' });
    const [same] = await runProject(adapter, respelt, { asOf: new Date('2026-02-14T12:00:00Z') });
    expect([same!.error, same!.mode]).toEqual([undefined, 'incremental']);
    const changed = writeProject(target, src, out, { ...spec, within: '3 days', withinMs: 3 * DAY, segments: [{ column: 'seg_a', top: 50 }] });
    const [second] = await runProject(adapter, changed, { asOf: new Date('2026-02-15T00:00:00Z') });
    expect([second!.mode, second!.reason]).toEqual(['full_refresh', 'configuration changed since the last run: join.within, segments']);
    // a record an earlier version wrote has no configuration to compare with
    await adapter.execute(`update ${adapter.dialect.quote(out)}.hindsight_runs set config = null`);
    const [third] = await runProject(adapter, dir, { asOf: new Date('2026-02-16T00:00:00Z') });
    expect([third!.mode, third!.reason]).toEqual(['full_refresh', 'configuration changed, or hindsight computes it differently since the last run']);
  });

  // A key column's type is the source's (values are cast to hindsight's types, keys are not): after
  // it changes, an incremental run would add keys of the new type to a table of the old one, or fail
  // to compare them, where a full refresh writes the new type.
  it.skipIf(!!target.unavailable)('a source key column that changed type since the last run: the next run is a full refresh', async () => {
    const d = adapter.dialect;
    const fixture = randomFixture({ seed: 34, predictions: 300, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 4 });
    fixture.outcomes = fixture.outcomes.filter((o) => !String(o.key[0]).startsWith('orphan')); // keys p00042 → 42
    const src = uniqueName('src');
    const out = uniqueName('hs');
    await loadFixture(adapter, src, fixture, { segments: ['seg_a', 'seg_b'] });
    /** Rewrites the key columns of both source tables as `expr(column)` (a table replaced as users do). */
    const rekey = async (expr: (column: string) => string) => {
      for (const [table, key, rest] of [['predictions', 'pid', 'predicted_at, score, model_version, environment, seg_a, seg_b'], ['outcomes', 'outcome_pid', 'observed_at, label']]) {
        await adapter.execute(`create table ${src}.rekeyed as select ${expr(key!)} as ${key}, ${rest} from ${src}.${table}`);
        await adapter.execute(`drop table ${src}.${table}`);
        await adapter.execute(`alter table ${src}.rekeyed rename to ${table}`);
      }
    };
    await rekey((key) => `cast(substr(${key}, 2) as ${d.types.integer})`);
    const dir = writeProject(target, src, out, spec);
    expect((await runProject(adapter, dir, { asOf: new Date('2026-02-14T00:00:00Z') }))[0]!.error).toBeUndefined();
    await rekey((key) => `cast(${key} as ${d.types.text})`);
    const asOf = new Date('2026-02-16T00:00:00Z');
    const [second] = await runProject(adapter, dir, { asOf });
    expect(second!.error).toBeUndefined();
    expect([second!.mode, second!.reason]).toEqual(['full_refresh', expect.stringMatching(/m__evaluations\W? has other columns than this run writes \(of another type: pid \S+ → \S+\)$|^cannot start from the stored tables \(the warehouse said: .*integer/i)]);
    await expectFullRefreshRows(src, out, asOf);
    expect((await runProject(adapter, dir, { asOf: new Date('2026-02-17T00:00:00Z') }))[0]!.mode).toBe('incremental');
  });

  // The run's setup makes a dropped hindsight_metrics again, empty: an incremental run wrote back its
  // recent windows alone, and reported OK. With none of the monitor's rows stored, the run is a full
  // refresh, as with a missing evaluations table.
  it.skipIf(!!target.unavailable)('a hindsight_metrics dropped, or emptied of the monitor\'s rows, since the last run: the next run is a full refresh', async () => {
    const { src, out, dir } = await twentyDaysRun(35);
    const metrics = `${adapter.dialect.quote(out)}.hindsight_metrics`;
    const reason = 'hindsight_metrics has no rows of this monitor: dropped or emptied since the last run';
    await adapter.execute(`drop table ${metrics}`);
    const afterDrop = new Date('2026-02-15T00:00:00Z');
    const [second] = await runProject(adapter, dir, { asOf: afterDrop });
    expect([second!.error, second!.mode, second!.reason]).toEqual([undefined, 'full_refresh', reason]);
    await expectFullRefreshRows(src, out, afterDrop);
    await adapter.execute(`delete from ${metrics} where monitor = 'm'`);
    const afterDelete = new Date('2026-02-16T00:00:00Z');
    const [third] = await runProject(adapter, dir, { asOf: afterDelete });
    expect([third!.error, third!.mode, third!.reason]).toEqual([undefined, 'full_refresh', reason]);
    await expectFullRefreshRows(src, out, afterDelete);
    // with its rows back, the next run is incremental again
    expect((await runProject(adapter, dir, { asOf: new Date('2026-02-17T00:00:00Z') }))[0]!.mode).toBe('incremental');
    // no rows lost where no run of the monitor wrote any: it stays incremental
    await adapter.execute(`delete from ${metrics} where monitor = 'm'`);
    await adapter.execute(`update ${adapter.dialect.quote(out)}.hindsight_runs set rows_written = 0`);
    expect((await runProject(adapter, dir, { asOf: new Date('2026-02-18T00:00:00Z') }))[0]!.mode).toBe('incremental');
  });

  // A full refresh on BigQuery or Snowflake whose process is killed after it set the stored evaluations
  // aside (renamed to its staged name, an empty table of the same columns made in its place:
  // createPermanentTables) and before its commit leaves that empty table. The next run, its
  // configuration unchanged, ran incrementally from it: every evaluation before its range was gone, and
  // the weeks it recomputes were computed from their recomputed days alone.
  it.skipIf(!!target.unavailable)('an evaluations table emptied since the last run: the next run is a full refresh', async () => {
    const { src, out, dir } = await twentyDaysRun(37);
    const d = adapter.dialect;
    const evaluations = `${d.quote(out)}.m__evaluations`;
    await adapter.execute(d.renameTable(evaluations, out, 'hs_m__evaluations_0badc0de'));
    await adapter.execute(`create table ${evaluations} as select * from ${d.quote(out)}.hs_m__evaluations_0badc0de where 1 = 0`);
    const asOf = new Date('2026-02-15T00:00:00Z');
    const [second] = await runProject(adapter, dir, { asOf });
    expect([second!.error, second!.mode, second!.reason]).toEqual([undefined, 'full_refresh', expect.stringMatching(/^m__evaluations has no rows, though hindsight_metrics counts predictions of this monitor: emptied since the last run/)]);
    await expectFullRefreshRows(src, out, asOf);
    expect((await runProject(adapter, dir, { asOf: new Date('2026-02-16T00:00:00Z') }))[0]!.mode).toBe('incremental');
    // A monitor with no prediction yet has metric rows (its orphan outcomes) and no evaluation: it stays incremental.
    const empty = uniqueName('src');
    const emptyOut = uniqueName('hs');
    await loadFixture(adapter, empty, randomFixture({ seed: 38, predictions: 100, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 4 }), { segments: ['seg_a', 'seg_b'] });
    await adapter.execute(`delete from ${d.quote(empty)}.predictions`);
    const emptyDir = writeProject(target, empty, emptyOut, spec);
    expect((await runProject(adapter, emptyDir, { asOf: new Date('2026-02-14T00:00:00Z') }))[0]!.rowsWritten).toBeGreaterThan(0);
    expect(Number((await adapter.query(`select count(*) as n from ${d.quote(emptyOut)}.m__evaluations`))[0]!.n)).toBe(0);
    expect((await runProject(adapter, emptyDir, { asOf: new Date('2026-02-15T00:00:00Z') }))[0]!.mode).toBe('incremental');
  });

  it.skipIf(!!target.unavailable)('a run that fails while writing leaves the metric rows as they were', async () => {
    const fixture = randomFixture({ seed: 21, predictions: 300, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 8 });
    const src = uniqueName('src');
    const out = uniqueName('hs');
    await loadFixture(adapter, src, fixture, { segments: ['seg_a', 'seg_b'] });
    const dir = writeProject(target, src, out, spec);
    await runProject(adapter, dir, { asOf: new Date('2026-02-01T00:00:00Z') });
    const before = await adapter.query(`select * from ${out}.hindsight_metrics order by granularity, window_start, model_version, segment, segment_value, metric`);
    const evaluationsBefore = await adapter.query(`select * from ${out}.m__evaluations order by pid`);
    expect(before.length).toBeGreaterThan(100);

    // A constraint that rejects one metric: the delete of the write step succeeds, its insert fails.
    const d = adapter.dialect;
    await rejectMetricRows(adapter, out, 'ks');
    const beforeFailure = await adapter.query(`select * from ${out}.hindsight_metrics order by granularity, window_start, model_version, segment, segment_value, metric`);

    const [failed] = await runProject(adapter, dir, { asOf: new Date('2026-02-05T00:00:00Z'), fullRefresh: true });
    expect(failed!.status).toBe('error');
    expect(failed!.error!.message).toMatch(/monitor m, step write failed \(SQL in .*run\/m\/write\.sql\)/);
    expect(await adapter.query(`select * from ${out}.hindsight_metrics order by granularity, window_start, model_version, segment, segment_value, metric`)).toEqual(beforeFailure);
    expect(await adapter.query(`select * from ${out}.m__evaluations order by pid`)).toEqual(evaluationsBefore);
    // Where DDL is transactional the full refresh staged its evaluations table in the schema and renamed
    // it into place (models/write.sql); the rollback undid the rename, and the runner dropped the table.
    if (d.capabilities.transactionalDdl) {
      const tables = await adapter.query(`select table_name from information_schema.tables where table_schema = '${out}' order by table_name`);
      expect(tables.map((t) => t.table_name)).toEqual(['hindsight_metrics', 'hindsight_runs', 'kept', 'm__evaluations']);
    }
    // the failure is in the audit log, and the next incremental run does not start from it
    const runs = await adapter.query(`select status, error from ${out}.hindsight_runs order by started_at`);
    expect(runs.map((r) => r.status)).toEqual(['success', 'error']);
    expect(String(runs[1]!.error)).toContain('step write failed');
  });

  // A stored evaluations table of other columns than a run writes (another version of hindsight wrote
  // it; here a column added by hand) makes the run a full refresh. Where DDL is not transactional
  // (BigQuery, Snowflake) the runner replaced it before the transaction with an empty one, which a
  // failed write left: the next run, its configuration unchanged, ran incrementally from it, and every
  // evaluation before its range was gone for good (and the metrics of the weeks it recomputed wrong).
  it.skipIf(!!target.unavailable)('a full refresh that replaces a stored table of other columns and fails leaves it as it was', async () => {
    const { src, out, dir } = await twentyDaysRun(36);
    const d = adapter.dialect;
    const evaluations = `${d.quote(out)}.m__evaluations`;
    await adapter.execute(`alter table ${evaluations} add column extra ${d.types.text}`);
    const stored = await adapter.query(`select * from ${evaluations} order by pid`);
    await rejectMetricRows(adapter, out, 'ks');
    const metrics = () => adapter.query(`select * from ${d.quote(out)}.hindsight_metrics order by granularity, window_start, model_version, segment, segment_value, metric`);
    const metricsBefore = await metrics();
    const [failed] = await runProject(adapter, dir, { asOf: new Date('2026-02-15T00:00:00Z') });
    expect([failed!.status, failed!.mode, failed!.reason]).toEqual(['error', 'full_refresh', expect.stringMatching(/m__evaluations\W? has other columns than this run writes \(no longer written: extra\)$/)]);
    expect(await adapter.query(`select * from ${evaluations} order by pid`)).toEqual(stored);
    expect(await metrics()).toEqual(metricsBefore);
    // the write accepted again, the next run replaces the table and equals a full refresh
    await adapter.execute(`drop table ${d.quote(out)}.hindsight_metrics`);
    await adapter.execute(`create table ${d.quote(out)}.hindsight_metrics as select * from ${d.quote(out)}.kept`);
    const asOf = new Date('2026-02-16T00:00:00Z');
    const [next] = await runProject(adapter, dir, { asOf });
    expect([next!.error, next!.mode]).toEqual([undefined, 'full_refresh']);
    await expectFullRefreshRows(src, out, asOf);
    // no copy of the replaced table is left beside it
    const aside = `${d.quote(out)}.${d.quote(stagedTable(d, 'm', 'evaluations', next!.runId))}`;
    await expect(adapter.query(`select * from ${aside}`)).rejects.toThrow();
  });

  // The warehouse places an error within the statement it ran; the user reads the step's file under
  // target/run/, which holds several statements (and comments): the error names the file's line and
  // column. A reference to a column that does not exist is put in place of one of the metric step's
  // aggregates, the same length, so that the file and the statement agree up to it.
  it.skipIf(!!target.unavailable)("a statement the warehouse refuses is placed at the step file's line and column", async () => {
    const fixture = randomFixture({ seed: 22, predictions: 100, start: new Date('2026-01-20T00:00:00Z'), days: 10, maxDelayDays: 4 });
    const src = uniqueName('src');
    const out = uniqueName('hs');
    await loadFixture(adapter, src, fixture, { segments: ['seg_a', 'seg_b'] });
    const dir = writeProject(target, src, out, spec);
    const aggregate = '        count(*) as n,';
    let altered = 0;
    const refusing: Adapter = {
      ...adapter,
      execute: (sql) => (sql.includes(aggregate) && /^create\b[^\n]*metrics/i.test(sql) ? (altered++, adapter.execute(sql.replace(aggregate, '        nosuch_x as n,'))) : adapter.execute(sql)),
    };
    const [failed] = await runProject(refusing, dir, { asOf: new Date('2026-02-01T00:00:00Z') });
    expect(altered).toBe(1);
    expect(failed!.status).toBe('error');
    const file = readFileSync(join(dir, 'target', 'run', 'm', 'metrics.sql'), 'utf8');
    const before = file.slice(0, file.indexOf(aggregate) + aggregate.indexOf('count'));
    const expected = `metrics.sql:${before.split('\n').length}:${before.length - before.lastIndexOf('\n')}`;
    const placed = /metrics\.sql(:\d+)*/.exec(failed!.error!.message)?.[0];
    // DuckDB and Postgres say where; a fake of BigQuery or Snowflake answers with DuckDB's words about
    // the SQL it translated, which the adapter does not read as its warehouse's position
    if (target.name === 'duckdb' || target.name === 'postgres') expect(placed).toBe(expected);
    else expect(placed).toBe('metrics.sql');
    expect(failed!.error!.message).toMatch(/nosuch_x/);
    expect(failed!.error!.message).not.toMatch(/of the statement/);
  });
});

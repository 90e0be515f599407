// Every metric and data-quality row, on randomized data, equals the independent TypeScript
// reference — on every target of the shared suite.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Adapter } from '../../src/adapters/index.js';
import { referencePipeline } from '../reference/pipeline.js';
import { expectSameMetrics, loadFixture, readMetrics, referenceConfig, runProject, uniqueName, writeProject, type MonitorSpec } from './harness.js';
import { productionOnly, randomFixture } from './random-data.js';
import { openTarget, TARGETS } from './targets.js';

const DAY = 86_400_000;
const start = new Date('2026-03-25T00:00:00Z');

const cases: { seed: number; spec: MonitorSpec; asOf: string }[] = [
  { seed: 1, asOf: '2026-04-20T00:00:00Z', spec: { within: '14 days', withinMs: 14 * DAY, granularity: ['day', 'week', 'month'], segments: [{ column: 'seg_a', top: 50 }, { column: 'seg_b', top: 3 }] } },
  { seed: 2, asOf: '2026-04-18T12:00:00Z', spec: { within: '7 days', withinMs: 7 * DAY, missing: 'negative', predictionDedupe: 'earliest', outcomeDedupe: 'earliest', threshold: 0.35, granularity: ['week'], segments: [{ column: 'seg_b', top: 2 }] } },
  { seed: 3, asOf: '2026-05-30T00:00:00Z', spec: { within: '36 hours', withinMs: 36 * 3_600_000, missing: 'negative', granularity: ['day', 'month'], modelVersion: false, outcomesSql: true } },
  // approximate_ranking: 10 bins hold two of the fixture's distinct scores each (values differ from
  // the exact ones); 20 bins put each on a bin edge, in floating point
  { seed: 4, asOf: '2026-04-20T00:00:00Z', spec: { within: '14 days', withinMs: 14 * DAY, granularity: ['day', 'week'], segments: [{ column: 'seg_a', top: 5 }], scoreBins: 10 } },
  { seed: 5, asOf: '2026-04-18T12:00:00Z', spec: { within: '7 days', withinMs: 7 * DAY, missing: 'negative', granularity: ['week', 'month'], segments: [{ column: 'seg_b', top: 2 }], scoreBins: 20 } },
  // two segments: each has its own cells, and the overall slices add up the first one's
  { seed: 6, asOf: '2026-04-20T00:00:00Z', spec: { within: '14 days', withinMs: 14 * DAY, granularity: ['day', 'week'], segments: [{ column: 'seg_a', top: 3 }, { column: 'seg_b', top: 50 }], scoreBins: 10 } },
  // and none: the overall slices come from cells with no segment value
  { seed: 7, asOf: '2026-04-20T00:00:00Z', spec: { within: '14 days', withinMs: 14 * DAY, granularity: ['day', 'week'], scoreBins: 10 } },
];

describe.each(TARGETS)('randomized data equals the reference on $name', (target) => {
  let adapter: Adapter;
  beforeAll(async () => {
    if (!target.unavailable) adapter = await openTarget(target);
  });
  afterAll(async () => adapter?.close());

  it.skipIf(!!target.unavailable).each(cases)('seed $seed', async ({ seed, spec, asOf }) => {
    const fixture = randomFixture({ seed, predictions: 600, start, days: 30, maxDelayDays: 20 });
    const source = uniqueName('src');
    const output = uniqueName('hs');
    await loadFixture(adapter, source, fixture, { segments: ['seg_a', 'seg_b'] });
    const dir = writeProject(target, source, output, spec);
    const [result] = await runProject(adapter, dir, { asOf: new Date(asOf) });
    if (result!.error) throw result!.error;
    const expected = referencePipeline(
      productionOnly(fixture).predictions.map((p) => (spec.modelVersion === false ? { ...p, modelVersion: null } : p)),
      fixture.outcomes,
      referenceConfig(spec, new Date(asOf)),
    );
    const actual = await readMetrics(adapter, output);
    expectSameMetrics(actual, expected.metrics);
  });
});

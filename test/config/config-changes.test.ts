// The reason a full refresh gives after a configuration change: what changed, from the configuration
// the previous run kept (hindsight_runs.config), or that hindsight computes the rows another way.
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { configChanges, monitorConfigJson, RESULTS_VERSIONS, sameConfiguration } from '../../src/config/monitor.js';

const [shop] = loadProject('examples/shop').monitors;

describe('configChanges', () => {
  const kept = JSON.parse(monitorConfigJson(shop!)) as { results_version: number; monitor: Record<string, unknown> };
  const withMonitor = (change: (m: Record<string, unknown>) => void, version = kept.results_version) => {
    const m = structuredClone(kept.monitor);
    change(m);
    return JSON.stringify({ results_version: version, monitor: m });
  };

  it('names the keys that changed, as a monitor file writes them', () => {
    expect(configChanges(withMonitor((m) => { m.within = { text: '3 days', seconds: 259200 }; }), shop!)).toBe('configuration changed since the last run: join.within');
    expect(configChanges(withMonitor((m) => {
      (m.predictions as Record<string, unknown>).where = null;
      (m.outcomes as Record<string, unknown>).dedupe = 'earliest';
      m.granularities = ['day'];
    }), shop!)).toBe('configuration changed since the last run: predictions.where, outcomes.dedupe, granularity');
    expect(configChanges(withMonitor((m) => {
      const p = m.predictions as { values: { column: string }[]; key: string[] };
      p.values[0]!.column = 'old_score';
      p.key = ['event_id'];
    }), shop!)).toBe('configuration changed since the last run: predictions.key, predictions.score');
  });

  it('takes `within` by its seconds: spelt otherwise, the configuration is the same', () => {
    const respelt = withMonitor((m) => { m.within = { text: '2 weeks', seconds: 14 * 86400 }; });
    expect(configChanges(respelt, shop!)).toBeUndefined();
    expect(sameConfiguration({ configHash: 'another', config: respelt }, shop!)).toBe(true);
    expect(sameConfiguration({ configHash: 'another', config: withMonitor((m) => { m.within = { text: '13 days', seconds: 13 * 86400 }; }) }, shop!)).toBe(false);
    // without a kept configuration only the hash can say
    expect(sameConfiguration({ configHash: 'another' }, shop!)).toBe(false);
    expect(sameConfiguration({ configHash: shop!.configHash }, shop!)).toBe(true);
  });

  it("names a forecast's series and times by its keys", () => {
    const [demand] = loadProject('examples/demand').monitors;
    const was = JSON.parse(monitorConfigJson(demand!)) as { results_version: number; monitor: { predictions: { key: string[]; timestamp: string }; outcomes: { timestamp: string } } };
    was.monitor.predictions.key = ['store_id'];
    was.monitor.predictions.timestamp = 'made_at';
    was.monitor.outcomes.timestamp = 'sold_on';
    expect(configChanges(JSON.stringify(was), demand!)).toBe('configuration changed since the last run: predictions.series, predictions.forecast_time, outcomes.time');
  });

  it('names a changed setting of a forecast or a recommendation once, by its key', () => {
    const [demand] = loadProject('examples/demand').monitors;
    const forecast = JSON.parse(monitorConfigJson(demand!)) as { results_version: number; monitor: { forecast: { seasonality: number } } };
    forecast.monitor.forecast.seasonality += 1;
    expect(configChanges(JSON.stringify(forecast), demand!)).toBe('configuration changed since the last run: seasonality');
    const [carousel] = loadProject('examples/carousel').monitors;
    const kept = JSON.parse(monitorConfigJson(carousel!)) as { results_version: number; monitor: { recommendation: { k: number[]; rank: { column: string } }; predictions: { values: { alias: string; column: string }[] } } };
    kept.monitor.recommendation.k = [1];
    kept.monitor.recommendation.rank.column = 'old_rank';
    kept.monitor.predictions.values.find((v) => v.alias === 'list_rank')!.column = 'old_rank';
    expect(configChanges(JSON.stringify(kept), carousel!)).toBe('configuration changed since the last run: predictions.rank, k');
  });

  it('names the class scores of a multiclass monitor once, and the results version beside a change', () => {
    const [styles] = loadProject('examples/styles').monitors;
    const kept = JSON.parse(monitorConfigJson(styles!)) as { results_version: number; monitor: { classes: unknown[]; predictions: { values: unknown[] } } };
    kept.monitor.classes.pop();
    kept.monitor.predictions.values.pop();
    kept.results_version -= 1;
    const v = RESULTS_VERSIONS.multiclass_classification;
    expect(configChanges(JSON.stringify(kept), styles!)).toMatch(new RegExp(`^configuration changed since the last run: predictions\\.class_scores\\.\\w+; and this version of hindsight computes multiclass_classification rows another way than the last run's \\(results version ${v - 1} → ${v}\\)$`));
  });

  it('says when only the results version differs, and nothing when nothing does', () => {
    expect(configChanges(withMonitor(() => {}, 1), shop!)).toBe(`this version of hindsight computes binary_classification rows another way than the last run's (results version 1 → ${kept.results_version})`);
    expect(configChanges(monitorConfigJson(shop!), shop!)).toBeUndefined();
  });

  it('knows nothing of a record without a configuration, or one it cannot read', () => {
    expect(configChanges(undefined, shop!)).toBeUndefined();
    expect(configChanges('{not json', shop!)).toBeUndefined();
  });
});

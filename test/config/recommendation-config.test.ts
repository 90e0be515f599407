// Configuration of recommendation monitors (docs/semantics.md §5e): what the schema accepts, how it
// is normalized, and the rules the schema alone cannot express, located in the file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { evaluationColumns } from '../../src/config/monitor.js';
import { ConfigError } from '../../src/errors.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const MONITOR = `monitors:
  - name: recs
    type: recommendation
    predictions:
      relation: raw.lists
      key: request_id
      timestamp: shown_at
      match: [user_id]
      item: item_id
      rank: pos
    outcomes:
      relation: raw.interactions
      key: user_id
      timestamp: at
      item: item_id
    join:
      within: 7 days
`;

function load(monitor: string) {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-rec-config-'));
  made.push(dir);
  writeFileSync(join(dir, 'hindsight.yml'), 'name: t\nprofile: t\n');
  mkdirSync(join(dir, 'monitors'));
  writeFileSync(join(dir, 'monitors', 'm.yml'), monitor);
  return loadProject(dir);
}

function errorsOf(monitor: string): string[] {
  try {
    load(monitor);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.line}:${i.column} ${i.key}: ${i.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError, the project loaded');
}

describe('recommendation monitors', () => {
  it('normalize with defaults: k = [10], no catalog, no missing policy of their own', () => {
    const [m] = load(MONITOR).monitors;
    expect(m!.recommendation).toMatchObject({ match: ['user_id'], matchOnly: ['user_id'], k: [10], personalizationSample: 1000 });
    expect(m!.recommendation!.catalog).toBeUndefined();
    expect(m!.predictions.key).toEqual(['request_id']);
    expect(m!.outcomes.key).toEqual(['user_id']);
    expect(evaluationColumns(m!)).toEqual([
      'request_id', 'predicted_at', 'model_version', 'user_id', 'list_length', 'relevant_items', 'first_relevant_position',
      'hits_at_10', 'ndcg_at_10', 'ap_at_10', 'label_status', 'observed_at', 'label_delay_hours',
    ]);
  });

  it('sort k and keep each once; a match column that is also a key column is carried once', () => {
    const [m] = load(MONITOR.replace('match: [user_id]', 'match: [request_id]') + '    k: [10, 5, 10]\n').monitors;
    expect(m!.recommendation!.k).toEqual([5, 10]);
    expect(m!.recommendation!.matchOnly).toEqual([]);
  });

  it('report a match key and an interaction key of different lengths, at outcomes.key', () => {
    expect(errorsOf(MONITOR.replace('      key: user_id\n', '      key: [user_id, session_id]\n'))).toEqual([
      '13:12 monitors[0].outcomes.key: has 2 column(s) but predictions.match has 1; keys are matched position by position',
    ]);
  });

  it('compare outcomes.key with predictions.match, not with the request key', () => {
    expect(() => load(MONITOR.replace('key: request_id', 'key: [request_id, page]'))).not.toThrow();
  });

  it('need exactly one of relation and sql in a catalog', () => {
    expect(errorsOf(MONITOR + '    catalog: {item: item_id}\n')).toEqual([
      "18:14 monitors[0].catalog: give either `relation` (a table or view) or `sql` (a query), exactly one",
    ]);
  });

  it('reject hindsight\'s own column names as match or segment columns, and a match column as a segment', () => {
    expect(errorsOf(MONITOR.replace('match: [user_id]', 'match: [item]') + '    segments: [list_rank, device]\n')).toEqual([
      '8:15 monitors[0].predictions.match[0]: "item" is a column hindsight writes itself; rename it in a `sql:` source',
      '18:16 monitors[0].segments[0]: "list_rank" is a column hindsight writes itself; rename it in a `sql:` source',
    ]);
    expect(errorsOf(MONITOR + '    segments: [user_id]\n')).toEqual(['18:16 monitors[0].segments[0]: "user_id" is a match column; segment by another column']);
  });

  // A request key named like a column of the templates' own queries was read in its place (a review:
  // a key item_row made every metric that of the first request only).
  it("reject a request key named like a column of hindsight's queries", () => {
    // (and the slices' group keys, their segment value indexes and the per-k sums: a key group_key,
    // value_1 or hits_10 gave wrong rows)
    expect(errorsOf(MONITOR.replace('key: request_id', 'key: [group_key, hits_10, IDCG_5, ap_sum_4, Value_1]')).map((e) => e.split(': "')[1]!.split('"')[0])).toEqual(['group_key', 'hits_10', 'IDCG_5', 'ap_sum_4', 'Value_1']);
    expect(errorsOf(MONITOR.replace('key: request_id', 'key: [Item_Row, sample_rank]'))).toEqual([
      '6:13 monitors[0].predictions.key[0]: "Item_Row" is a column hindsight\'s queries add themselves; rename it in a `sql:` source (select Item_Row as my_Item_Row …)',
      '6:23 monitors[0].predictions.key[1]: "sample_rank" is a column hindsight\'s queries add themselves; rename it in a `sql:` source (select sample_rank as my_sample_rank …)',
    ]);
  });

  it('compare those names ignoring case, as BigQuery, Snowflake and DuckDB do', () => {
    expect(errorsOf(MONITOR.replace('match: [user_id]', 'match: [Item]') + '    segments: [List_Rank, GAIN, User_Id]\n')).toEqual([
      '8:15 monitors[0].predictions.match[0]: "Item" is a column hindsight writes itself; rename it in a `sql:` source',
      '18:16 monitors[0].segments[0]: "List_Rank" is a column hindsight writes itself; rename it in a `sql:` source',
      '18:27 monitors[0].segments[1]: "GAIN" is a column hindsight writes itself; rename it in a `sql:` source',
    ]);
    expect(errorsOf(MONITOR + '    segments: [User_Id]\n')).toEqual(['18:16 monitors[0].segments[0]: "User_Id" is a match column; segment by another column']);
  });

  it('have no `missing` policy and no outcome dedupe', () => {
    const errors = errorsOf(MONITOR.replace('      within: 7 days\n', '      within: 7 days\n      missing: drop\n').replace('      item: item_id\n    join', '      item: item_id\n      dedupe: latest\n    join'));
    expect(errors.map((e) => e.split(':')[0] + ' ' + e.split(' ')[1]!.replace(/:$/, ''))).toEqual(['16 monitors[0].outcomes.dedupe', '19 monitors[0].join.missing']);
  });
});

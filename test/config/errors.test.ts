// The configuration-error experience: every error names file:line:column and the key, says what was
// expected and suggests the closest valid key or value; all errors of a project come in one pass;
// unknown keys are errors. Each broken project is written to a temp dir and its messages are
// compared in full: check a changed snapshot against the YAML above it before accepting it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { initProject } from '../../src/cli/init.js';
import { loadProject, loadProjectAndTarget, loadTarget } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { dialectFor } from '../../src/dialects/index.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-errors-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Messages as printed, with file names relative to the project (as when run inside it). */
function shown(text: string, dir: string): string {
  return text.split(relative(process.cwd(), dir) + sep).join('').split(dir).join('<project>');
}

/** Loads a project the way `hindsight validate` does (project, then profiles); returns the error. */
function configError(files: Record<string, string>, options: { target?: string } = {}): { error: ConfigError; dir: string } {
  const dir = project(files);
  const load = (partialParse: boolean): ConfigError => {
    try {
      loadTarget(loadProject(dir, { partialParse }), options);
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('expected a ConfigError, the project loaded');
  };
  const error = load(false);
  // With partial parsing, the first load writes target/partial_parse.json and the second reads it:
  // neither changes a message.
  for (let i = 0; i < 2; i++) expect(load(true).message).toBe(error.message);
  return { error, dir };
}

function errors(files: Record<string, string>, options: { target?: string } = {}): string {
  const { error, dir } = configError(files, options);
  return shown(error.message, dir);
}

const HINDSIGHT = `name: shop
profile: shop
`;

const PROFILES = `shop:
  target: dev
  outputs:
    dev:
      type: duckdb
`;

const MONITOR = `monitors:
  - name: churn
    type: binary_classification
    predictions:
      relation: raw.predictions
      key: id
      timestamp: predicted_at
      score: p_churn
    outcomes:
      relation: raw.outcomes
      key: id
      timestamp: churned_at
      label: churned
    join:
      within: 30 days
`;

const withMonitors = (monitors: Record<string, string>) => ({
  'hindsight.yml': HINDSIGHT,
  'profiles.yml': PROFILES,
  ...Object.fromEntries(Object.entries(monitors).map(([name, text]) => [`monitors/${name}`, text])),
});

describe('the fixtures', () => {
  it('start from a valid project', () => {
    const dir = project(withMonitors({ 'churn.yml': MONITOR }));
    const loaded = loadProject(dir);
    expect(loaded.monitors.map((m) => m.name)).toEqual(['churn']);
    expect(loadTarget(loaded).output.type).toBe('duckdb');
  });
});

describe('configuration errors', () => {
  it('report misspelt keys at every depth with the closest valid key', () => {
    const text = errors({
      'hindsight.yml': `name: shop
profle: shop
`,
      'profiles.yml': PROFILES,
      'monitors/churn.yml': `monitors:
  - name: churn
    type: binary_classification
    predictions:
      relation: raw.predictions
      key: id
      timestamp: predicted_at
      scroe: p_churn
    outcomes:
      relation: raw.outcomes
      key: id
      timestamp: churned_at
      label: churned
    join:
      witin: 30 days
    granularty: day
    segments: [{colum: region}, {column: channel, topp: 5}]
  - name: churn_v2
    type: binary_classification
    predictions: {relation: raw.predictions, key: id, timestamp: predicted_at, score: p_churn}
    outcomes: {relation: raw.outcomes, key: id, timestamp: churned_at, label: churned}
    joni: {within: 30 days}
    segmnets: [country]
`,
      'monitors/other.yml': `monitor:
  - name: other
`,
    });
    expect(text).toMatchInlineSnapshot(`
      "hindsight.yml:2:1: profle: unknown key "profle"; expected one of: name, profile, schema, monitor-paths, seed-paths, target-path, seeds, version (did you mean "profile"?)
      monitors/churn.yml:8:7: monitors[0].predictions.scroe: unknown key "scroe"; expected one of: relation, sql, key, timestamp, dedupe, model_version, where, score (did you mean "score"?)
      monitors/churn.yml:15:7: monitors[0].join.witin: unknown key "witin"; expected one of: within, missing (did you mean "within"?)
      monitors/churn.yml:16:5: monitors[0].granularty: unknown key "granularty"; expected one of: name, type, description, tags, granularity, segments, load_delay, predictions, outcomes, join, threshold, approximate_ranking (did you mean "granularity"?)
      monitors/churn.yml:17:17: monitors[0].segments[0].colum: unknown key "colum"; expected one of: column, top (did you mean "column"?)
      monitors/churn.yml:17:51: monitors[0].segments[1].topp: unknown key "topp"; expected one of: column, top (did you mean "top"?)
      monitors/churn.yml:22:5: monitors[1].joni: unknown key "joni"; expected one of: name, type, description, tags, granularity, segments, load_delay, predictions, outcomes, join, threshold, approximate_ranking (did you mean "join"?)
      monitors/churn.yml:23:5: monitors[1].segmnets: unknown key "segmnets"; expected one of: name, type, description, tags, granularity, segments, load_delay, predictions, outcomes, join, threshold, approximate_ranking (did you mean "segments"?)
      monitors/other.yml:1:1: monitor: unknown key "monitor"; expected one of: monitors, version (did you mean "monitors"?)"
    `);
  });

  it('report values outside an enumeration with the closest valid value', () => {
    const text = errors(withMonitors({
      'churn.yml': `monitors:
  - name: churn
    type: binary_classification
    predictions:
      relation: raw.predictions
      key: id
      timestamp: predicted_at
      score: p_churn
      dedupe: newest
    outcomes:
      relation: raw.outcomes
      key: id
      timestamp: churned_at
      label: churned
      dedupe: first
    join:
      within: 30 days
      missing: zero
    granularity: [dya, week]
  - name: churn_weekly
    type: binary_classification
    predictions: {relation: raw.predictions, key: id, timestamp: predicted_at, score: p_churn}
    outcomes: {relation: raw.outcomes, key: id, timestamp: churned_at, label: churned}
    join: {within: 30 days, missing: negtive}
    granularity: weekly
`,
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/churn.yml:9:15: monitors[0].predictions.dedupe: expected one of: latest, earliest; got "newest"
      monitors/churn.yml:15:15: monitors[0].outcomes.dedupe: expected one of: latest, earliest; got "first"
      monitors/churn.yml:18:16: monitors[0].join.missing: expected one of: drop, negative; got "zero"
      monitors/churn.yml:19:19: monitors[0].granularity[0]: expected one of: day, week, month; got "dya" (did you mean "day"?)
      monitors/churn.yml:24:38: monitors[1].join.missing: expected one of: drop, negative; got "negtive" (did you mean "negative"?)
      monitors/churn.yml:25:18: monitors[1].granularity: expected one of: day, week, month; got "weekly" (did you mean "week"?)"
    `);
  });

  it('report values of the wrong type, saying what was expected and what was given', () => {
    const text = errors(withMonitors({
      'churn.yml': `monitors:
  - name: Churn Model
    type: binary_classification
    description: [not, a, string]
    predictions:
      relation: raw.predictions.2024
      key: 5
      timestamp: predicted_at
      score:
    outcomes: raw.outcomes
    join:
      within: 30
    threshold: high
    segments: country
  - name: churn
    type: binary_classification
    predictions: [raw.predictions]
    outcomes: {relation: raw.outcomes, key: [], timestamp: churned_at, label: churned}
    join: {within: 2 fortnights}
    threshold: 1.5
    granularity: []
    segments: [{column: region, top: many}, 42, my-column]
`,
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/churn.yml:2:11: monitors[0].name: expected a monitor name: lower-case letters, digits and _, starting with a letter, at most 60 characters (it becomes part of table names); got "Churn Model"
      monitors/churn.yml:4:18: monitors[0].description: expected a string; got a list
      monitors/churn.yml:6:17: monitors[0].predictions.relation: expected a table or view: [database.][schema.]table; got "raw.predictions.2024"
      monitors/churn.yml:7:12: monitors[0].predictions.key: expected a column name, or a list of column names for a key of several columns; got 5
      monitors/churn.yml:9:7: monitors[0].predictions.score: expected a column name (letters, digits, _ and $, not starting with a digit); got nothing
      monitors/churn.yml:10:15: monitors[0].outcomes: expected a mapping with keys: relation, sql, key, timestamp, dedupe, label; got "raw.outcomes"
      monitors/churn.yml:12:15: monitors[0].join.within: expected a duration like "14 days", "36 hours" or "2 weeks"; got 30
      monitors/churn.yml:13:16: monitors[0].threshold: expected a number from 0 to 1; got "high"
      monitors/churn.yml:14:15: monitors[0].segments: expected a list of columns to break the metrics down by, each a column name or {column: <column name>, top: <n>}; got "country"
      monitors/churn.yml:17:18: monitors[1].predictions: expected a mapping with keys: relation, sql, key, timestamp, dedupe, model_version, where, score; got a list
      monitors/churn.yml:18:45: monitors[1].outcomes.key: expected a column name, or a list of column names for a key of several columns; got an empty list
      monitors/churn.yml:19:20: monitors[1].join.within: expected a duration like "14 days", "36 hours" or "2 weeks"; got "2 fortnights"
      monitors/churn.yml:20:16: monitors[1].threshold: expected a number from 0 to 1; got 1.5
      monitors/churn.yml:21:18: monitors[1].granularity: expected day, week or month, or a list of them; got an empty list
      monitors/churn.yml:22:38: monitors[1].segments[0].top: expected a whole number from 1 to 10000; got "many"
      monitors/churn.yml:22:45: monitors[1].segments[1]: expected a column name, or {column: <column name>, top: <how many of its most frequent values>}; got 42
      monitors/churn.yml:22:49: monitors[1].segments[2]: expected a column name, or {column: <column name>, top: <how many of its most frequent values>}; got "my-column""
    `);
  });

  it('report missing required keys at the mapping that lacks them', () => {
    const text = errors({
      'hindsight.yml': `name: shop
`,
      'profiles.yml': PROFILES,
      'monitors/churn.yml': `monitors:
  - name: churn
    type: binary_classification
    predictions:
      relation: raw.predictions
      key: id
      score: p_churn
    join: {}
  - type: binary_classification
`,
      // an empty or comment-only file declares nothing, and a dbt property file's version: 2 is ignored
      'monitors/empty.yml': ``,
      'monitors/comments.yml': `# churn_v2 goes here
`,
      'monitors/null.yml': `version: 2
monitors:
`,
    });
    expect(text).toMatchInlineSnapshot(`
      "hindsight.yml:1:1: profile: required key "profile" is missing; expected the name of a profile in profiles.yml
      monitors/churn.yml:2:5: monitors[0].outcomes: required key "outcomes" is missing; expected a mapping with keys: relation, sql, key, timestamp, dedupe, label
      monitors/churn.yml:4:5: monitors[0].predictions.timestamp: required key "timestamp" is missing; expected a column name (letters, digits, _ and $, not starting with a digit)
      monitors/churn.yml:8:5: monitors[0].join.within: required key "within" is missing; expected a duration like "14 days", "36 hours" or "2 weeks"
      monitors/churn.yml:9:5: monitors[1].name: required key "name" is missing; expected a monitor name: lower-case letters, digits and _, starting with a letter, at most 60 characters (it becomes part of table names)
      monitors/churn.yml:9:5: monitors[1].predictions: required key "predictions" is missing; expected a mapping with keys: relation, sql, key, timestamp, dedupe, model_version, where, score
      monitors/churn.yml:9:5: monitors[1].outcomes: required key "outcomes" is missing; expected a mapping with keys: relation, sql, key, timestamp, dedupe, label
      monitors/churn.yml:9:5: monitors[1].join: required key "join" is missing; expected a mapping with keys: within, missing
      monitors/null.yml:2:1: monitors: expected a list of monitors, each a mapping with name, type, predictions, outcomes and join; got nothing"
    `);
  });

  it('require exactly one of relation and sql', () => {
    const text = errors(withMonitors({
      'churn.yml': `monitors:
  - name: churn
    type: binary_classification
    predictions:
      relation: raw.predictions
      sql: select * from raw.predictions
      key: id
      timestamp: predicted_at
      score: p_churn
    outcomes:
      key: id
      timestamp: churned_at
      label: churned
    join:
      within: 30 days
`,
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/churn.yml:6:7: monitors[0].predictions.sql: cannot be given together with \`relation\`; give either \`relation\` (a table or view) or \`sql\` (a query)
      monitors/churn.yml:10:5: monitors[0].outcomes: needs \`relation\` (a table or view) or \`sql\` (a query)"
    `);
  });

  it('require keys of the same length on both sides', () => {
    const text = errors(withMonitors({
      'churn.yml': `monitors:
  - name: churn
    type: binary_classification
    predictions:
      relation: raw.predictions
      key: [order_id, line_no]
      timestamp: predicted_at
      score: p_churn
    outcomes:
      relation: raw.outcomes
      key: order_id
      timestamp: churned_at
      label: churned
    join:
      within: 30 days
`,
    }));
    expect(text).toMatchInlineSnapshot(`"monitors/churn.yml:11:12: monitors[0].outcomes.key: has 1 column(s) but predictions.key has 2; keys are matched position by position"`);
  });

  it('reject reserved, key and repeated columns as keys and segments', () => {
    const text = errors(withMonitors({
      'churn.yml': `monitors:
  - name: churn
    type: binary_classification
    predictions:
      relation: raw.predictions
      key: [label]
      timestamp: predicted_at
      score: p_churn
    outcomes:
      relation: raw.outcomes
      key: id
      timestamp: churned_at
      label: churned
    join:
      within: 30 days
    segments: [score, {column: model_version}, label, country, country, Score, Duplicate_Rank, COUNTRY, LABEL]
`,
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/churn.yml:6:13: monitors[0].predictions.key[0]: "label" is a column hindsight writes itself; rename it in a \`sql:\` source (select label as my_label …)
      monitors/churn.yml:16:16: monitors[0].segments[0]: "score" is a column hindsight writes itself; rename it in a \`sql:\` source (select score as my_score …)
      monitors/churn.yml:16:32: monitors[0].segments[1].column: "model_version" is a column hindsight writes itself; rename it in a \`sql:\` source (select model_version as my_model_version …)
      monitors/churn.yml:16:48: monitors[0].segments[2]: "label" is a key column; segment by another column
      monitors/churn.yml:16:48: monitors[0].segments[2]: "label" is a column hindsight writes itself; rename it in a \`sql:\` source (select label as my_label …)
      monitors/churn.yml:16:64: monitors[0].segments[4]: segment column "country" is listed twice
      monitors/churn.yml:16:73: monitors[0].segments[5]: segment column "Score" is listed twice (as "score": BigQuery and Snowflake ignore the case of names)
      monitors/churn.yml:16:73: monitors[0].segments[5]: "Score" is a column hindsight writes itself; rename it in a \`sql:\` source (select Score as my_Score …)
      monitors/churn.yml:16:80: monitors[0].segments[6]: "Duplicate_Rank" is a column hindsight writes itself; rename it in a \`sql:\` source (select Duplicate_Rank as my_Duplicate_Rank …)
      monitors/churn.yml:16:96: monitors[0].segments[7]: segment column "COUNTRY" is listed twice (as "country": BigQuery and Snowflake ignore the case of names)
      monitors/churn.yml:16:105: monitors[0].segments[8]: segment column "LABEL" is listed twice (as "label": BigQuery and Snowflake ignore the case of names)
      monitors/churn.yml:16:105: monitors[0].segments[8]: "LABEL" is a key column (as "label": BigQuery and Snowflake ignore the case of names); segment by another column
      monitors/churn.yml:16:105: monitors[0].segments[8]: "LABEL" is a column hindsight writes itself; rename it in a \`sql:\` source (select LABEL as my_LABEL …)"
    `);
  });

  it("reject class score columns and segments named like the columns hindsight's queries add", () => {
    const text = errors(withMonitors({
      'sizes.yml': `monitors:
  - name: sizes
    type: multiclass_classification
    predictions: {relation: raw.p, key: id, timestamp: ts, predicted_class: c, class_scores: {a: pa, b: HS_Score_Usable, c: duplicate_rank}}
    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 2 days}
`,
      'sizes_by_segment.yml': `monitors:
  - name: sizes_by_segment
    type: multiclass_classification
    predictions: {relation: raw.p, key: id, timestamp: ts, predicted_class: c, class_scores: {a: pa}}
    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 2 days}
    segments: [hs_score_total]
`,
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/sizes.yml:4:105: monitors[0].predictions.class_scores.b: "HS_Score_Usable" is a column hindsight's queries add themselves; rename it in a \`sql:\` source
      monitors/sizes.yml:4:125: monitors[0].predictions.class_scores.c: "duplicate_rank" is a column hindsight's queries add themselves; rename it in a \`sql:\` source
      monitors/sizes_by_segment.yml:7:16: monitors[0].segments[0]: "hs_score_total" is a column hindsight's queries add themselves; rename it in a \`sql:\` source (select hs_score_total as my_hs_score_total …)"
    `);
  });

  // The class score columns keep their own names in the evaluations table: one named like another of
  // its columns was reported at the monitor, naming neither key.
  it('point at a class score column that the evaluations table has already', () => {
    const text = errors(withMonitors({
      'sizes.yml': `monitors:
  - name: sizes
    type: multiclass_classification
    predictions: {relation: raw.p, key: id, timestamp: ts, predicted_class: c, class_scores: {a: pa, b: Label}}
    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 2 days}
`,
    }));
    expect(text).toBe('monitors/sizes.yml:4:105: monitors[0].predictions.class_scores.b: the evaluations table would have the column(s) label twice: "Label" is one of them; rename it in a `sql:` source');
  });

  // A class is compared with the labels as text: YAML's number 1 for the key 01 matched no label '01',
  // and log_loss came out as that of probability 1e-15 for every row, with no error.
  it('reject a class key that YAML reads as a number written otherwise, and accept it quoted', () => {
    const monitor = (scores: string) => `monitors:
  - name: sizes
    type: multiclass_classification
    predictions: {relation: raw.p, key: id, timestamp: ts, predicted_class: c, class_scores: {${scores}}}
    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 2 days}
`;
    expect(errors(withMonitors({ 'sizes.yml': monitor('01: p1, 1.50: p2, 1e3: p3, 2: p4, true: p5') }))).toMatchInlineSnapshot(`
      "monitors/sizes.yml:4:95: monitors[0].predictions.class_scores.1: YAML reads the key 01 as 1, the class "1"; quote it ('01': …) for the class "01"
      monitors/sizes.yml:4:103: monitors[0].predictions.class_scores.1.5: YAML reads the key 1.50 as 1.5, the class "1.5"; quote it ('1.50': …) for the class "1.50"
      monitors/sizes.yml:4:113: monitors[0].predictions.class_scores.1000: YAML reads the key 1e3 as 1000, the class "1000"; quote it ('1e3': …) for the class "1e3""
    `);
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/sizes.yml': monitor("'01': p1, \"1.50\": p2, 2: p4, true: p5") });
    expect(loadProject(dir).monitors[0]!.classes.map((c) => c.name)).toEqual(['01', '1.50', '2', 'true']);
  });

  // A null key (~ or null) is the empty class, refused as such: the key check said of it "the class
  // "null"", which no class is, a second error beside the one that says what is wrong.
  it('reject a null class key once, as an empty class', () => {
    const text = errors(withMonitors({ 'sizes.yml': `monitors:
  - name: sizes
    type: multiclass_classification
    predictions: {relation: raw.p, key: id, timestamp: ts, predicted_class: c, class_scores: {~: p0, 1: p1}}
    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 2 days}
` }));
    expect(text).toBe('monitors/sizes.yml:4:94: monitors[0].predictions.class_scores.: invalid key ""; expected a class (not empty)');
  });

  // (these said "expected expected letters, digits and _" and "expected Too small: expected string to
  // have >=1 characters")
  it('say what an output name and a class must be', () => {
    const text = errors(withMonitors({
      'resale.yml': `monitors:
  - name: resale
    type: regression
    predictions: {relation: raw.p, key: id, timestamp: ts}
    outcomes: {relation: raw.o, key: id, timestamp: ts}
    outputs: {price usd: {prediction: p_price, label: price}}
    join: {within: 2 days}
`,
      'sizes.yml': `monitors:
  - name: sizes
    type: multiclass_classification
    predictions: {relation: raw.p, key: id, timestamp: ts, predicted_class: c, class_scores: {"": pa}}
    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 2 days}
`,
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/resale.yml:6:15: monitors[0].outputs.price usd: invalid key "price usd"; expected an output name: letters, digits and _ (it is the qualifier of its metric rows)
      monitors/sizes.yml:4:95: monitors[0].predictions.class_scores.: invalid key ""; expected a class (not empty)"
    `);
  });

  // outcome_matches.sql classifies outcomes as outcome_class and evaluations.sql ranks them as
  // outcome_rank, beside the key and the outcome values: a key named outcome_class was read in its
  // place, so that on DuckDB every label was `missing` and no model metric was written, with no error.
  it('reject a key or an outcome value column named like the outcome steps\' own columns, not a segment', () => {
    const text = errors(withMonitors({
      'churn.yml': MONITOR.replace(/key: id/g, 'key: outcome_class'),
      'resale.yml': `monitors:
  - name: resale
    type: regression
    predictions: {relation: raw.p, key: id, timestamp: ts}
    outcomes: {relation: raw.o, key: id, timestamp: ts}
    outputs: {price: {prediction: p_price, label: outcome_rank}, days: {prediction: p_days, label: Outcome_Class}}
    join: {within: 2 days}
`,
      'sizes.yml': `monitors:
  - name: sizes
    type: multiclass_classification
    predictions: {relation: raw.p, key: [id, Outcome_Rank], timestamp: ts, predicted_class: c}
    outcomes: {relation: raw.o, key: [id, n], timestamp: ts, label: y}
    join: {within: 2 days}
`,
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/churn.yml:6:12: monitors[0].predictions.key: "outcome_class" is a column hindsight's queries add themselves; rename it in a \`sql:\` source (select outcome_class as my_outcome_class …)
      monitors/resale.yml:6:51: monitors[0].outputs.price.label: "outcome_rank" is a column hindsight's queries add themselves; rename it in a \`sql:\` source
      monitors/resale.yml:6:100: monitors[0].outputs.days.label: "Outcome_Class" is a column hindsight's queries add themselves; rename it in a \`sql:\` source
      monitors/sizes.yml:4:46: monitors[0].predictions.key[1]: "Outcome_Rank" is a column hindsight's queries add themselves; rename it in a \`sql:\` source (select Outcome_Rank as my_Outcome_Rank …)"
    `);
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': `${MONITOR}    segments: [outcome_class, outcome_rank]\n` });
    expect(loadProject(dir).monitors[0]!.segments.map((s) => s.column)).toEqual(['outcome_class', 'outcome_rank']);
    // forecasts and recommendations have outcome steps of their own
    const forecast = project({ 'hindsight.yml': HINDSIGHT, 'monitors/demand.yml': `monitors:
  - name: demand
    type: forecast
    predictions: {relation: raw.f, series: outcome_class, forecast_time: ft, target_time: tt, prediction: y_hat}
    outcomes: {relation: raw.a, series: outcome_class, time: tt, value: y}
    join: {within: 10 days}
    horizon_unit: week
    horizons: [1]
    granularity: [week]
` });
    expect(loadProject(forecast).monitors[0]!.predictions.key).toEqual(['outcome_class']);
  });

  it("accept the multiclass step's own column names in other monitor types, where no query adds them", () => {
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': `${MONITOR}    segments: [hs_score_total, hs_score_usable]\n` });
    expect(loadProject(dir).monitors[0]!.segments.map((s) => s.column)).toEqual(['hs_score_total', 'hs_score_usable']);
  });

  it("accept a BigQuery project ID's hyphen in a relation, each part quoted where it is used", () => {
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR.replace('relation: raw.predictions', 'relation: my-project.raw.predictions') });
    const [monitor] = loadProject(dir).monitors;
    expect(monitor!.predictions.relation).toBe('my-project.raw.predictions');
    expect(dialectFor('bigquery').relation(monitor!.predictions.relation!)).toBe('`my-project`.`raw`.`predictions`');
  });

  it('reject a monitor name declared twice, across files too', () => {
    const text = errors(withMonitors({
      'a.yml': MONITOR,
      'b.yml': `${MONITOR}${MONITOR.replace('monitors:\n', '')}`,
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/b.yml:2:11: monitors[0].name: monitor "churn" is already declared at monitors/a.yml:2:11; monitor names must be unique in a project
      monitors/b.yml:16:11: monitors[1].name: monitor "churn" is already declared at monitors/a.yml:2:11; monitor names must be unique in a project"
    `);
  });

  it('reject an unknown monitor type with the closest known one', () => {
    const text = errors(withMonitors({
      'churn.yml': MONITOR.replace('binary_classification', 'binary_clasification'),
      'rank.yml': MONITOR.replace('churn', 'rank').replace('binary_classification', 'ranking'),
      'untyped.yml': MONITOR.replace('churn', 'untyped').replace('    type: binary_classification\n', ''),
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/churn.yml:3:11: monitors[0].type: expected one of: binary_classification, multiclass_classification, regression, forecast, recommendation; got "binary_clasification" (did you mean "binary_classification"?)
      monitors/rank.yml:3:11: monitors[0].type: expected one of: binary_classification, multiclass_classification, regression, forecast, recommendation; got "ranking" (did you mean "binary_classification"?)
      monitors/untyped.yml:2:5: monitors[0].type: required key "type" is missing; expected one of: binary_classification, multiclass_classification, regression, forecast, recommendation"
    `);
  });

  it('report YAML syntax errors of every file, with the key they are in', () => {
    const text = errors(withMonitors({
      'a.yml': MONITOR.replace('      key: id\n      timestamp: predicted_at', '      key: id\n\ttimestamp: predicted_at'),
      'b.yml': MONITOR.replace('      score: p_churn\n', '      score: p_churn\n      score: p_stay\n'),
      'c.yml': MONITOR.replace('key: id\n      timestamp: churned_at', 'key: [id\n      timestamp: churned_at'),
      'd.yml': MONITOR.replace('label: churned', "label: 'churned"),
      'e.yml': `${MONITOR}---\nmonitors: []\n`,
      // one space too many before a key: it continues the value above it
      'f.yml': MONITOR.replace('      score: p_churn\n', '      score: p_churn\n       model_version: version\n'),
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/a.yml:7:1: YAML syntax error: tabs are not allowed as indentation; indent with spaces
      monitors/b.yml:9:7: monitors[0].predictions.score: duplicate key "score"; a key may appear only once in a mapping
      monitors/c.yml:12:7: monitors[0].outcomes.key: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]
      monitors/d.yml:13:14: monitors[0].outcomes.label: YAML syntax error: this string has no closing quote
      monitors/e.yml:16:1: YAML syntax error: a file holds a single YAML document; remove the \`---\` separator
      monitors/f.yml:9:8: monitors[0].predictions.score: YAML syntax error: this line is indented more than the keys around it, so YAML reads it as more of the value of "score" above it; indent it as its neighbours"
    `);
  });

  it('report a sql: or where: that holds comments only', () => {
    // (a where: of a comment filtered nothing; a sql: of one failed in the warehouse)
    const monitor = MONITOR
      .replace('      relation: raw.predictions\n', '      relation: raw.predictions\n      where: "-- environment = \'production\'"\n')
      .replace('      relation: raw.outcomes\n', '      sql: "-- select * from raw.outcomes"\n');
    expect(errors(withMonitors({ 'a.yml': monitor }))).toBe(
      "monitors/a.yml:6:14: monitors[0].predictions.where: holds a comment only, no condition: write one, or leave `where` out\n" +
        'monitors/a.yml:11:12: monitors[0].outcomes.sql: holds comments only, no query',
    );
  });

  it("report a duplicate key beside the same file's other problems, in one pass", () => {
    const text = errors(withMonitors({
      'b.yml': MONITOR.replace('      score: p_churn\n', '      score: p_churn\n      score: p_stay\n').replace('binary_classification', 'binary_clasification'),
    }));
    expect(text).toMatchInlineSnapshot(`
      "monitors/b.yml:3:11: monitors[0].type: expected one of: binary_classification, multiclass_classification, regression, forecast, recommendation; got "binary_clasification" (did you mean "binary_classification"?)
      monitors/b.yml:9:7: monitors[0].predictions.score: duplicate key "score"; a key may appear only once in a mapping"
    `);
  });

  // Like dbt, a run renders and checks only the profile and target it uses: another target's
  // problems, or its unset variables, do not stop it (src/config/schema.ts, selectedProfileSchema).
  const BROKEN_PROFILES = `shop:
  outputs:
    dev:
      type: duckdb
      threds: 4
    staging:
      type: duckbd
    local: {type: duckdb, path: "{{ env_var('HINDSIGHT_DB' }}"}
    prod:
      type: postgres
      host: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}"
      user: {{ env_var('PGUSER') }}
      port: lots
      threads: 0
      session_settings:
        work mem: 1GB
        jit: [on]
other_project:
  target: x
  outputs:
    x: {type: redshift, password: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}"}
`;
  it('report problems of the profile and target a run uses, all of them', () => {
    delete process.env.HINDSIGHT_TEST_SURELY_UNSET;
    const files = { 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': BROKEN_PROFILES };
    expect(errors(files)).toMatchInlineSnapshot(`"profiles.yml:1:1: shop.target: required key "target" is missing; expected the name of one of the outputs"`);
    expect(errors(files, { target: 'prod' })).toMatchInlineSnapshot(`
      "profiles.yml:9:5: shop.outputs.prod.dbname: required key "dbname" is missing; expected a database name
      profiles.yml:11:13: shop.outputs.prod.host: environment variable HINDSIGHT_TEST_SURELY_UNSET is not set and env_var() was given no default; set it or write env_var('HINDSIGHT_TEST_SURELY_UNSET', '<default>')
      profiles.yml:12:13: shop.outputs.prod.user: a {{ … }} template must be quoted, or YAML reads it as a mapping: write "{{ env_var('PGUSER') }}"
      profiles.yml:13:13: shop.outputs.prod.port: expected a whole number from 1 to 65535; got "lots"
      profiles.yml:14:16: shop.outputs.prod.threads: expected a whole number of 1 or more: how many monitors \`hindsight run\` runs at once, each in a session of its own (dbt's threads; default 1; --threads overrides it); got 0
      profiles.yml:16:9: shop.outputs.prod.session_settings.work mem: invalid key "work mem"; expected a setting name such as work_mem
      profiles.yml:17:14: shop.outputs.prod.session_settings.jit: expected a string, or a number, or true or false; got a list"
    `);
    expect(errors(files, { target: 'dev' })).toMatchInlineSnapshot(`"profiles.yml:5:7: shop.outputs.dev.threds: unknown key "threds"; expected one of: type, path, threads, memory_limit, settings (did you mean "threads"?)"`);
    expect(errors(files, { target: 'staging' })).toMatchInlineSnapshot(`"profiles.yml:7:13: shop.outputs.staging.type: expected one of: duckdb, postgres, snowflake, bigquery; got "duckbd" (did you mean "duckdb"?)"`);
    expect(errors(files, { target: 'local' })).toMatchInlineSnapshot(`"profiles.yml:8:33: shop.outputs.local.path: cannot render this {{ … }} template: parseSignature: expected comma after expression; write "{{ env_var('NAME') }}" or "{{ env_var('NAME', 'default') }}" (a literal {{ in SQL is written {{ '{{' }})"`);
  });

  it('read whole numbers as written or as the digits a template renders to, and nothing else as one', () => {
    process.env.HINDSIGHT_TEST_PGPORT = '5433';
    const profiles = (extra: string) => `shop:
  target: prod
  outputs:
    prod:
      type: postgres
      host: localhost
      user: u
      dbname: d
      port: "{{ env_var('HINDSIGHT_TEST_PGPORT') }}"
${extra}`;
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('      threads: " 3 "\n      connect_timeout: 10\n') });
    expect(loadProjectAndTarget(dir).target.output).toMatchObject({ port: 5433, threads: 3, connect_timeout: 10 });
    // z.coerce read the first three as 1, 4 and 16
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('      threads: true\n      connect_timeout: [4]\n') })).toMatchInlineSnapshot(`
      "profiles.yml:10:16: shop.outputs.prod.threads: expected a whole number of 1 or more: how many monitors \`hindsight run\` runs at once, each in a session of its own (dbt's threads; default 1; --threads overrides it); got true
      profiles.yml:11:24: shop.outputs.prod.connect_timeout: expected a whole number of at least 1; got a list"
    `);
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('      threads: "0x10"\n      connect_timeout: "0"\n') })).toMatchInlineSnapshot(`
      "profiles.yml:10:16: shop.outputs.prod.threads: expected a whole number of 1 or more: how many monitors \`hindsight run\` runs at once, each in a session of its own (dbt's threads; default 1; --threads overrides it); got "0x10"
      profiles.yml:11:24: shop.outputs.prod.connect_timeout: expected a whole number of at least 1; got "0""
    `);
    delete process.env.HINDSIGHT_TEST_PGPORT;
  });

  it('render and check what the target used reaches through a YAML anchor', () => {
    delete process.env.HINDSIGHT_TEST_SURELY_UNSET;
    const profiles = (path: string) => `shop:
  target: dev
  outputs:
    prod: &base
      type: duckdb
      path: "${path}"
    dev: *base
`;
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles("{{ env_var('HINDSIGHT_TEST_SURELY_UNSET', 'shared.duckdb') }}") });
    expect(loadProjectAndTarget(dir).target.output).toEqual({ type: 'duckdb', path: join(dir, 'shared.duckdb') });
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles("{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}") })).toMatchInlineSnapshot(`"profiles.yml:6:13: shop.outputs.prod.path: environment variable HINDSIGHT_TEST_SURELY_UNSET is not set and env_var() was given no default; set it or write env_var('HINDSIGHT_TEST_SURELY_UNSET', '<default>')"`);
  });

  it("report a DuckDB path that is empty or a directory where it is written, not as DuckDB's error in run", () => {
    // (validate accepted them; run failed, exit 1: "IO Error: Could not read from file "<project>": Is a directory")
    const files = (path: string) => ({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': `${PROFILES}      path: ${path}\n`, 'data/.keep': '' });
    expect(errors(files('""'))).toMatchInlineSnapshot(`"profiles.yml:6:13: shop.outputs.dev.path: expected a DuckDB database file, relative to the project directory (~ for the home directory), or :memory:; got """`);
    expect(errors(files('data'))).toMatchInlineSnapshot(`"profiles.yml:6:13: shop.outputs.dev.path: "data" is a directory (<project>/data); expected a DuckDB database file, e.g. data/hindsight.duckdb"`);
    expect(errors(files('"."'))).toMatchInlineSnapshot(`"profiles.yml:6:13: shop.outputs.dev.path: "." is a directory (<project>); expected a DuckDB database file, e.g. hindsight.duckdb"`);
    const dir = project(files('data/dev.duckdb'));
    expect(loadProjectAndTarget(dir).target.output).toEqual({ type: 'duckdb', path: join(dir, 'data', 'dev.duckdb') });
  });

  it("accept YAML merge keys (dbt's `<<: *defaults`), and point a bad merged value's error at the merge", () => {
    const profiles = (threads: string) => `defaults: &defaults
  type: duckdb
  threads: ${threads}
shop:
  target: dev
  outputs:
    dev:
      <<: *defaults
      path: dev.duckdb
`;
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('2') });
    expect(loadProjectAndTarget(dir).target.output).toEqual({ type: 'duckdb', threads: 2, path: join(dir, 'dev.duckdb') });
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('0') })).toMatchInlineSnapshot(`"profiles.yml:8:7: shop.outputs.dev.threads: expected a whole number of 1 or more: how many monitors \`hindsight run\` runs at once, each in a session of its own (dbt's threads; default 1; --threads overrides it); got 0"`);
  });

  it('render what the target used holds after merge keys, and only that', () => {
    delete process.env.HINDSIGHT_TEST_SURELY_UNSET;
    process.env.HINDSIGHT_TEST_DEV_DB = 'dev.duckdb';
    try {
      // dev overrides the anchor's path, whose variable is not set: nothing of it is used
      const overriding = `shop:
  target: dev
  outputs:
    prod: &prod {type: duckdb, path: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}", threads: 2}
    dev: {<<: *prod, path: "{{ env_var('HINDSIGHT_TEST_DEV_DB') }}"}
`;
      const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': overriding });
      expect(loadProjectAndTarget(dir).target.output).toEqual({ type: 'duckdb', path: join(dir, 'dev.duckdb'), threads: 2 });
      // the whole profile merged from another: its target and path are used, and reported where written
      const merged = (target: string) => `base: &base
  target: ${target}
  outputs:
    dev: {type: duckdb, path: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}"}
shop: {<<: *base}
`;
      expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': merged('dev') })).toMatchInlineSnapshot(`"profiles.yml:4:31: base.outputs.dev.path: environment variable HINDSIGHT_TEST_SURELY_UNSET is not set and env_var() was given no default; set it or write env_var('HINDSIGHT_TEST_SURELY_UNSET', '<default>')"`);
      expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': merged(`"{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}"`) })).toMatchInlineSnapshot(`"profiles.yml:2:11: base.target: environment variable HINDSIGHT_TEST_SURELY_UNSET is not set and env_var() was given no default; set it or write env_var('HINDSIGHT_TEST_SURELY_UNSET', '<default>')"`);
    } finally {
      delete process.env.HINDSIGHT_TEST_DEV_DB;
    }
  });

  it('never show the marker of a failed template: its own issue instead', () => {
    delete process.env.HINDSIGHT_TEST_SURELY_UNSET;
    const files = (profiles: string) => ({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles });
    // an unquoted template with an anchor, in a target not used: dev loads
    const anchored = `shop:
  target: dev
  outputs:
    prod: {type: duckdb, path: &p {{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}}
    replica: {type: duckdb, path: *p}
    dev: {type: duckdb, path: dev.duckdb}
`;
    const dir = project(files(anchored));
    expect(loadProjectAndTarget(dir).target.output).toEqual({ type: 'duckdb', path: join(dir, 'dev.duckdb') });
    expect(errors(files(anchored.replace('target: dev', 'target: replica')))).toMatchInlineSnapshot(`"profiles.yml:4:35: shop.outputs.prod.path: a {{ … }} template must be quoted, or YAML reads it as a mapping: write "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}""`);
    // a template where a mapping or a key goes
    expect(errors(files(`shop: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}"\n`))).toMatchInlineSnapshot(`"profiles.yml:1:7: shop: environment variable HINDSIGHT_TEST_SURELY_UNSET is not set and env_var() was given no default; set it or write env_var('HINDSIGHT_TEST_SURELY_UNSET', '<default>')"`);
    expect(errors(files(`shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      settings: {"{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}": 4}\n`))).toMatchInlineSnapshot(`"profiles.yml:6:18: shop.outputs.dev.settings: environment variable HINDSIGHT_TEST_SURELY_UNSET is not set and env_var() was given no default; set it or write env_var('HINDSIGHT_TEST_SURELY_UNSET', '<default>')"`);
    // text that only looks like a marker is text
    expect(errors(files(`shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, threads: "\\0unrendered 0\\0"}\n`))).toMatch(/shop\.outputs\.dev\.threads: expected a whole number/);
  });

  it('report a duration beyond what warehouses hold where it is written', () => {
    expect(errors(withMonitors({ 'churn.yml': MONITOR.replace('within: 30 days', 'within: 100000000000 weeks') }))).toMatchInlineSnapshot(`"monitors/churn.yml:15:15: monitors[0].join.within: expected a duration of at most 36500 days (100 years); got "100000000000 weeks""`);
    expect(() => loadProject(project(withMonitors({ 'churn.yml': MONITOR.replace('within: 30 days', 'within: 5214 weeks') })))).not.toThrow();
  });

  it("report a monitor's own rules beside another monitor's schema error", () => {
    const regression = `  - name: price
    type: regression
    predictions: {relation: raw.p, key: id, timestamp: ts}
    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 1 day}
`;
    expect(errors(withMonitors({ 'two.yml': MONITOR.replace('score: p_churn', 'score: 3') + regression }))).toMatchInlineSnapshot(`
      "monitors/two.yml:8:14: monitors[0].predictions.score: expected a column name (letters, digits, _ and $, not starting with a digit); got 3
      monitors/two.yml:18:18: monitors[1].predictions: give \`prediction\` (the predicted value column), or \`outputs\` at the monitor level for several outputs"
    `);
  });

  it("report a monitor's own rules beside its own schema errors, not after they are fixed", () => {
    // (they were checked only once the monitor had no other error: a second pass found them)
    const regression = `monitors:
  - name: price
    type: regression
    predictions: {relation: raw.p, key: id, timestamp: ts}
    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 1 dya}
`;
    const forecast = `monitors:
  - name: demand
    type: forecast
    predictions: {relation: raw.f, series: [store, sku], forecast_time: made_at, target_time: week, prediction: units, quantiles: {1.5: p15}}
    outcomes: {relation: raw.a, series: store, time: week, value: units}
    join: {within: 7 days}
    horizon_unit: week
    seasonality: 0
`;
    const recommendation = `monitors:
  - name: shortlist
    type: recommendation
    predictions: {relation: raw.l, key: list_id, timestamp: ts, match: user_id, item: item_id, rank: pos}
    outcomes: {relation: raw.i, key: user_id, timestamp: ts, item: item_id}
    join: {within: 7 days}
    k: [0]
    catalog: {relation: raw.items, sql: select 1 as item_id, item: item_id}
    segments: [user_id]
`;
    expect(errors(withMonitors({ 'price.yml': regression, 'demand.yml': forecast, 'shortlist.yml': recommendation }))).toMatchInlineSnapshot(`
      "monitors/demand.yml:4:137: monitors[0].predictions.quantiles.1.5: "1.5" is not a quantile level: expected a number strictly between 0 and 1, like 0.1 or 0.95
      monitors/demand.yml:5:41: monitors[0].outcomes.series: has 1 column(s) but predictions.series has 2; series are matched position by position
      monitors/demand.yml:8:18: monitors[0].seasonality: expected a whole number of 1 or more: the seasonal lag of MASE's naive forecast, in horizon units; got 0
      monitors/price.yml:4:18: monitors[0].predictions: give \`prediction\` (the predicted value column), or \`outputs\` at the monitor level for several outputs
      monitors/price.yml:6:20: monitors[0].join.within: expected a duration like "14 days", "36 hours" or "2 weeks"; got "1 dya"
      monitors/shortlist.yml:7:9: monitors[0].k[0]: expected a whole number from 1 to 1000; got 0
      monitors/shortlist.yml:8:14: monitors[0].catalog: give either \`relation\` (a table or view) or \`sql\` (a query), exactly one
      monitors/shortlist.yml:9:16: monitors[0].segments[0]: "user_id" is a match column; segment by another column"
    `);
  });

  it("report a `sql:` or `where:` whose parentheses would close or leave open hindsight's own", () => {
    // (`where: "x = 1) or (1 = 1"` ran as `where (x = 1) or (1 = 1)`: every row)
    const monitor = MONITOR.replace('      score: p_churn\n', `      score: p_churn\n      where: "x = 1) or (1 = 1"\n`).replace('relation: raw.outcomes', 'sql: select * from (select * from raw.outcomes');
    expect(errors(withMonitors({ 'churn.yml': monitor }))).toMatchInlineSnapshot(`
      "monitors/churn.yml:9:14: monitors[0].predictions.where: has a \`)\` that closes no \`(\` of its own: hindsight puts it in parentheses of its own, which it would close or leave open
      monitors/churn.yml:11:12: monitors[0].outcomes.sql: leaves a \`(\` unclosed: hindsight puts it in parentheses of its own, which it would close or leave open"
    `);
  });

  // Snowflake reads `// 1) or (b = 2` as a comment, so not every warehouse's reading refuses it; on
  // DuckDB, the target here, `//` divides, and it ran as `where (a = 1 // 1) or (b = 2)`: every row with b = 2.
  it("report a `where:` whose parentheses close hindsight's as the target's warehouse reads it", () => {
    const monitor = MONITOR.replace('      score: p_churn\n', `      score: p_churn\n      where: "a = 1 // 1) or (b = 2"\n`);
    expect(errors(withMonitors({ 'churn.yml': monitor }))).toBe(
      'monitors/churn.yml:9:14: monitors[0].predictions.where: has a `)` that closes no `(` of its own as duckdb reads it: hindsight puts it in parentheses of its own, which it would close or leave open',
    );
  });

  it('render env_var() in hindsight.yml and monitor files too, and report a template that is not env_var()', () => {
    process.env.HINDSIGHT_TEST_ENV = 'staging';
    try {
      const hindsight = `name: shop\nprofile: shop\nschema: "hs_{{ env_var('HINDSIGHT_TEST_ENV') }}"\n`;
      const monitor = MONITOR.replace('      score: p_churn\n', `      score: p_churn\n      where: "environment = '{{ env_var('HINDSIGHT_TEST_ENV', 'production') }}'"\n`);
      const dir = project({ 'hindsight.yml': hindsight, 'monitors/churn.yml': monitor, 'profiles.yml': PROFILES });
      for (const partialParse of [true, true]) {
        const { project: loaded } = loadProjectAndTarget(dir, { partialParse });
        expect(loaded.config.schema).toBe('hs_staging');
        expect(loaded.monitors[0]!.predictions.where).toBe("environment = 'staging'");
      }
      // the partial-parse cache does not keep a templated file: another value is read on the next load
      process.env.HINDSIGHT_TEST_ENV = 'prod';
      expect(loadProjectAndTarget(dir, { partialParse: true }).project.monitors[0]!.predictions.where).toBe("environment = 'prod'");
    } finally {
      delete process.env.HINDSIGHT_TEST_ENV;
    }
    delete process.env.HINDSIGHT_TEST_SURELY_UNSET;
    expect(errors({
      'hindsight.yml': `name: shop\nprofile: shop\nschema: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}"\n`,
      'monitors/churn.yml': MONITOR.replace('relation: raw.outcomes', `sql: "select * from {{ ref('outcomes') }}"`),
      'profiles.yml': PROFILES,
    })).toMatchInlineSnapshot(`
      "hindsight.yml:3:9: schema: environment variable HINDSIGHT_TEST_SURELY_UNSET is not set and env_var() was given no default; set it or write env_var('HINDSIGHT_TEST_SURELY_UNSET', '<default>')
      monitors/churn.yml:10:12: monitors[0].outcomes.sql: cannot render this {{ … }} template: Unable to call \`ref\`, which is undefined or falsey; write "{{ env_var('NAME') }}" or "{{ env_var('NAME', 'default') }}" (a literal {{ in SQL is written {{ '{{' }})"
    `);
  });

  it("report an env_var() call without a name, with a default that is not text or with more arguments, as such", () => {
    // env_var() read process.env.undefined: "environment variable undefined is not set … write env_var('undefined', …)"
    delete process.env.HINDSIGHT_TEST_SURELY_UNSET;
    const profiles = `shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var() }}"
      memory_limit: "{{ env_var('') }}"
      threads: "{{ env_var(3) }}"
      settings:
        a: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET', none) }}"
        b: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET', 'x', 'y') }}"
        c: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET', ['x']) }}"
`;
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles })).toMatchInlineSnapshot(`
      "profiles.yml:6:13: shop.outputs.dev.path: env_var() needs the name of an environment variable, as text, and was given none; write env_var('NAME') or env_var('NAME', 'default')
      profiles.yml:7:21: shop.outputs.dev.memory_limit: env_var() needs the name of an environment variable, as text; write env_var('NAME') or env_var('NAME', 'default')
      profiles.yml:8:16: shop.outputs.dev.threads: env_var() needs the name of an environment variable, as text; write env_var('NAME') or env_var('NAME', 'default')
      profiles.yml:10:12: shop.outputs.dev.settings.a: environment variable HINDSIGHT_TEST_SURELY_UNSET is not set and env_var() was given no default; set it or write env_var('HINDSIGHT_TEST_SURELY_UNSET', '<default>')
      profiles.yml:11:12: shop.outputs.dev.settings.b: env_var() takes the name of an environment variable and a default, not 3 arguments; write env_var('NAME') or env_var('NAME', 'default')
      profiles.yml:12:12: shop.outputs.dev.settings.c: the default of env_var('HINDSIGHT_TEST_SURELY_UNSET', …) is not text; write env_var('NAME') or env_var('NAME', 'default')"
    `);
    // a default of none is no default, as in dbt: the variable's value when it is set
    process.env.HINDSIGHT_TEST_ENV = 'set.duckdb';
    try {
      const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': PROFILES + `      path: "{{ env_var('HINDSIGHT_TEST_ENV', none) }}"\n` });
      expect(loadProjectAndTarget(dir).target.output).toMatchObject({ path: join(dir, 'set.duckdb') });
    } finally {
      delete process.env.HINDSIGHT_TEST_ENV;
    }
  });

  it("read dbt's env_var(var=…, default=…) keyword arguments", () => {
    // (the keywords came as one object: `env_var('X', default='a.duckdb')` was "the default of
    // env_var('X', …) is not text", and before that the path "[object Object]")
    delete process.env.HINDSIGHT_TEST_SURELY_UNSET;
    const path = (template: string) => {
      const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': `${PROFILES}      path: "${template}"\n` });
      return { dir, output: () => loadProjectAndTarget(dir).target.output };
    };
    const named = path("{{ env_var('HINDSIGHT_TEST_SURELY_UNSET', default='a.duckdb') }}");
    expect(named.output()).toMatchObject({ path: join(named.dir, 'a.duckdb') });
    const both = path("{{ env_var(var='HINDSIGHT_TEST_SURELY_UNSET', default='b.duckdb') }}");
    expect(both.output()).toMatchObject({ path: join(both.dir, 'b.duckdb') });
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': `${PROFILES}      path: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET', fallback='c') }}"\n` })).toMatchInlineSnapshot(`"profiles.yml:6:13: shop.outputs.dev.path: env_var() takes the keywords var and default, not fallback; write env_var('NAME') or env_var('NAME', 'default')"`);
    // an argument given both ways is an error, as in dbt (`var=` was read as the name, the first argument as the default)
    const twice = (call: string) => errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': `${PROFILES}      path: "{{ ${call} }}"\n` });
    expect(twice("env_var('HINDSIGHT_TEST_SURELY_UNSET', var='HOME')")).toMatchInlineSnapshot(`"profiles.yml:6:13: shop.outputs.dev.path: env_var() was given its name twice, as argument 1 and as var=; write env_var('NAME') or env_var('NAME', 'default')"`);
    expect(twice("env_var('HINDSIGHT_TEST_SURELY_UNSET', 'a', default='b')")).toMatchInlineSnapshot(`"profiles.yml:6:13: shop.outputs.dev.path: env_var() was given its default twice, as argument 2 and as default=; write env_var('NAME') or env_var('NAME', 'default')"`);
  });

  it("turn a value into a number or boolean with dbt's as_number, as_bool and as_native, in monitor files too", () => {
    process.env.HINDSIGHT_TEST_T = '0.7';
    try {
      const monitor = MONITOR.replace('      score: p_churn\n', `      score: p_churn\n      where: "x = {{ env_var('HINDSIGHT_TEST_T') | as_number }}"\n`).replace('      within: 30 days\n', `      within: 30 days\n    threshold: "{{ env_var('HINDSIGHT_TEST_T', '0.5') | as_number }}"\n`);
      const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': monitor, 'profiles.yml': PROFILES });
      const [m] = loadProjectAndTarget(dir).project.monitors;
      expect(m!.threshold).toBe(0.7);
      expect(m!.predictions.where).toBe('x = 0.7'); // (inside a longer text, the text)
      // text that is no number stays text, and the schema says what it expected
      process.env.HINDSIGHT_TEST_T = 'high';
      expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': monitor, 'profiles.yml': PROFILES })).toMatch(/threshold: expected a number from 0 to 1[^\n]*; got "high"/);
    } finally {
      delete process.env.HINDSIGHT_TEST_T;
    }
  });

  it("accept dbt's as_number and as_bool filters, and a boolean's text from env_var()", () => {
    process.env.HINDSIGHT_TEST_KEEP = 'True';
    try {
      const profiles = `shop:
  target: prod
  outputs:
    prod:
      type: snowflake
      account: xy12345
      user: u
      password: p
      database: d
      threads: "{{ env_var('HINDSIGHT_TEST_THREADS', 2) | as_number }}"
      client_session_keep_alive: "{{ env_var('HINDSIGHT_TEST_KEEP') | as_bool }}"
`;
      const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles });
      expect(loadProjectAndTarget(dir).target.output).toMatchObject({ threads: 2, client_session_keep_alive: true });
    } finally {
      delete process.env.HINDSIGHT_TEST_KEEP;
    }
  });

  it("suggest hindsight's name for a field dbt's adapters also accept under another (pass, database, schema)", () => {
    const profiles = `shop:
  target: pg
  outputs:
    pg: {type: postgres, host: h, user: u, pass: p, database: d}
    bq: {type: bigquery, database: my-project, schema: analytics, method: oauth}
`;
    const files = { 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles };
    expect(errors(files)).toMatchInlineSnapshot(`
      "profiles.yml:4:44: shop.outputs.pg.pass: unknown key "pass"; expected one of: type, host, port, user, password, dbname, schema, threads, sslmode, connect_timeout, session_settings (did you mean "password"?)
      profiles.yml:4:53: shop.outputs.pg.database: unknown key "database"; expected one of: type, host, port, user, password, dbname, schema, threads, sslmode, connect_timeout, session_settings (did you mean "dbname"?)"
    `);
    expect(errors(files, { target: 'bq' })).toMatchInlineSnapshot(`
      "profiles.yml:5:26: shop.outputs.bq.database: unknown key "database"; expected one of: type, project, dataset, location, threads, method, keyfile, maximum_bytes_billed, labels, job_timeout_seconds, priority, api_endpoint (did you mean "project"?)
      profiles.yml:5:48: shop.outputs.bq.schema: unknown key "schema"; expected one of: type, project, dataset, location, threads, method, keyfile, maximum_bytes_billed, labels, job_timeout_seconds, priority, api_endpoint (did you mean "dataset"?)"
    `);
  });

  it('check a monitor whose type is misspelt as the type it most likely means, so that its other errors come too', () => {
    delete process.env.HINDSIGHT_TEST_SURELY_UNSET;
    const monitor = MONITOR.replace('type: binary_classification', 'type: binary_clasification').replace('timestamp: predicted_at', 'timestmap: predicted_at').replace('within: 30 days', 'within: 30 dayz');
    // (a template that failed is reported as such, not as the placeholder it left)
    const templated = monitor.replace('      within: 30 dayz\n', `      within: 30 dayz\n    granularity: "{{ env_var('HINDSIGHT_TEST_SURELY_UNSET') }}"\n`);
    expect(errors(withMonitors({ 'churn.yml': templated }))).not.toMatch(/unrendered|\\u0000/);
    expect(errors(withMonitors({ 'churn.yml': monitor }))).toMatchInlineSnapshot(`
      "monitors/churn.yml:3:11: monitors[0].type: expected one of: binary_classification, multiclass_classification, regression, forecast, recommendation; got "binary_clasification" (did you mean "binary_classification"?)
      monitors/churn.yml:7:7: monitors[0].predictions.timestmap: unknown key "timestmap"; expected one of: relation, sql, key, timestamp, dedupe, model_version, where, score (did you mean "timestamp"?)
      monitors/churn.yml:15:15: monitors[0].join.within: expected a duration like "14 days", "36 hours" or "2 weeks"; got "30 dayz""
    `);
  });

  it('check a monitor or an output whose type is missing or unknown as the type it most likely means, so that its other errors come too', () => {
    // (before, the type's error came alone; the others, after it was fixed)
    const monitor = (type: string) => MONITOR.replace('    type: binary_classification\n', type).replace('timestamp: predicted_at', 'timestmap: predicted_at').replace('within: 30 days', 'within: 30 dayz');
    expect(errors(withMonitors({ 'churn.yml': monitor('') }))).toMatchInlineSnapshot(`
      "monitors/churn.yml:2:5: monitors[0].type: required key "type" is missing; expected one of: binary_classification, multiclass_classification, regression, forecast, recommendation
      monitors/churn.yml:6:7: monitors[0].predictions.timestmap: unknown key "timestmap"; expected one of: relation, sql, key, timestamp, dedupe, model_version, where, score (did you mean "timestamp"?)
      monitors/churn.yml:14:15: monitors[0].join.within: expected a duration like "14 days", "36 hours" or "2 weeks"; got "30 dayz""
    `);
    expect(errors(withMonitors({ 'churn.yml': monitor('    type: classifier\n') }))).toMatchInlineSnapshot(`
      "monitors/churn.yml:3:11: monitors[0].type: expected one of: binary_classification, multiclass_classification, regression, forecast, recommendation; got "classifier" (did you mean "binary_classification"?)
      monitors/churn.yml:7:7: monitors[0].predictions.timestmap: unknown key "timestmap"; expected one of: relation, sql, key, timestamp, dedupe, model_version, where, score (did you mean "timestamp"?)
      monitors/churn.yml:15:15: monitors[0].join.within: expected a duration like "14 days", "36 hours" or "2 weeks"; got "30 dayz""
    `);
    expect(errors(withMonitors({ 'churn.yml': monitor('    type: [binary_classification]\n') }))).toMatchInlineSnapshot(`
      "monitors/churn.yml:3:11: monitors[0].type: expected one of: binary_classification, multiclass_classification, regression, forecast, recommendation; got a list
      monitors/churn.yml:7:7: monitors[0].predictions.timestmap: unknown key "timestmap"; expected one of: relation, sql, key, timestamp, dedupe, model_version, where, score (did you mean "timestamp"?)
      monitors/churn.yml:15:15: monitors[0].join.within: expected a duration like "14 days", "36 hours" or "2 weeks"; got "30 dayz""
    `);
    // a type whose closest value is not the monitor it heads: checked as the type the monitor fits
    // (`forecasting` on a multiclass monitor was checked as a forecast: 14 errors of keys it has or
    // lacks, and "did you mean forecast"; `binary`, as a binary classification)
    const multiclass = MONITOR.replace('binary_classification', 'multiclass_classification').replace('score: p_churn', 'predicted_class: segment').replace('label: churned', 'label: kept_segment');
    expect(loadProject(project(withMonitors({ 'churn.yml': multiclass }))).monitors).toHaveLength(1);
    for (const type of ['forecasting', 'binary']) {
      expect(errors(withMonitors({ 'churn.yml': multiclass.replace('multiclass_classification', type) }))).toBe(
        `monitors/churn.yml:3:11: monitors[0].type: expected one of: binary_classification, multiclass_classification, regression, forecast, recommendation; got "${type}" (did you mean "multiclass_classification"?)`,
      );
    }
    // a type misspelt by a letter, on a monitor with another error: still the type written (it was
    // checked as a regression, which `prediction:` fits: "did you mean "regression"?", `threshold` unknown)
    const binary = MONITOR.replace('binary_classification', 'binary_clasification').replace('score: p_churn', 'prediction: p_churn').replace('      within: 30 days\n', '      within: 30 days\n    threshold: 0.3\n');
    expect(errors(withMonitors({ 'churn.yml': binary }))).toMatchInlineSnapshot(`
      "monitors/churn.yml:3:11: monitors[0].type: expected one of: binary_classification, multiclass_classification, regression, forecast, recommendation; got "binary_clasification" (did you mean "binary_classification"?)
      monitors/churn.yml:4:5: monitors[0].predictions.score: required key "score" is missing; expected a column name (letters, digits, _ and $, not starting with a digit)
      monitors/churn.yml:8:7: monitors[0].predictions.prediction: unknown key "prediction"; expected one of: relation, sql, key, timestamp, dedupe, model_version, where, score"
    `);
    // an output: a misspelt type, one hindsight does not have, none (the closest, else the one with the fewest problems)
    const profiles = (type: string) => `shop:\n  target: dev\n  outputs:\n    dev:\n${type}      pth: dev.duckdb\n`;
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('      type: duckbd\n') })).toMatchInlineSnapshot(`
      "profiles.yml:5:13: shop.outputs.dev.type: expected one of: duckdb, postgres, snowflake, bigquery; got "duckbd" (did you mean "duckdb"?)
      profiles.yml:6:7: shop.outputs.dev.pth: unknown key "pth"; expected one of: type, path, threads, memory_limit, settings (did you mean "path"?)"
    `);
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('      type: sqlite\n') })).toMatchInlineSnapshot(`
      "profiles.yml:5:13: shop.outputs.dev.type: expected one of: duckdb, postgres, snowflake, bigquery; got "sqlite" (did you mean "duckdb"?)
      profiles.yml:6:7: shop.outputs.dev.pth: unknown key "pth"; expected one of: type, path, threads, memory_limit, settings (did you mean "path"?)"
    `);
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('') })).toMatchInlineSnapshot(`
      "profiles.yml:4:5: shop.outputs.dev.type: required key "type" is missing; expected one of: duckdb, postgres, snowflake, bigquery
      profiles.yml:5:7: shop.outputs.dev.pth: unknown key "pth"; expected one of: type, path, threads, memory_limit, settings (did you mean "path"?)"
    `);
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('      type: pg\n      host: h\n      dbname: d\n') })).toMatchInlineSnapshot(`
      "profiles.yml:4:5: shop.outputs.dev.user: required key "user" is missing; expected a user name
      profiles.yml:5:13: shop.outputs.dev.type: expected one of: duckdb, postgres, snowflake, bigquery; got "pg" (did you mean "postgres"?)
      profiles.yml:8:7: shop.outputs.dev.pth: unknown key "pth"; expected one of: type, host, port, user, password, dbname, schema, threads, sslmode, connect_timeout, session_settings"
    `);
  });

  it("refuse a Postgres session's TimeZone other than UTC: hindsight's session is UTC", () => {
    const profiles = (zone: string) => `shop:\n  target: pg\n  outputs:\n    pg: {type: postgres, host: h, user: u, dbname: d, session_settings: {work_mem: 64MB, TimeZone: ${zone}}}\n`;
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('Etc/UTC') });
    expect(loadProjectAndTarget(dir).target.output).toMatchObject({ session_settings: { TimeZone: 'Etc/UTC' } });
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('America/New_York') })).toMatchInlineSnapshot(`"profiles.yml:4:100: shop.outputs.pg.session_settings.TimeZone: expected UTC (or no TimeZone): hindsight's session is UTC, which its windows are in; got "America/New_York""`);
  });

  it("refuse a Postgres session's DateStyle that writes times other than as ISO text", () => {
    const profiles = (style: string) => `shop:\n  target: pg\n  outputs:\n    pg: {type: postgres, host: h, user: u, dbname: d, session_settings: {DateStyle: '${style}'}}\n`;
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('ISO, DMY') });
    expect(loadProjectAndTarget(dir).target.output).toMatchObject({ session_settings: { DateStyle: 'ISO, DMY' } });
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('SQL, DMY') })).toMatchInlineSnapshot(`"profiles.yml:4:85: shop.outputs.pg.session_settings.DateStyle: expected ISO output, alone or with an input order (ISO, DMY): hindsight reads times, and writes date segments and keys, as ISO text; got "SQL, DMY""`);
  });

  it("refuse a Postgres session's extra_float_digits other than 1, which writes doubles as other text", () => {
    const profiles = (digits: string) => `shop:\n  target: pg\n  outputs:\n    pg: {type: postgres, host: h, user: u, dbname: d, session_settings: {extra_float_digits: ${digits}}}\n`;
    expect(loadProjectAndTarget(project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('1') })).target.output).toMatchObject({ session_settings: { extra_float_digits: 1 } });
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('0') })).toMatch(/^profiles\.yml:4:\d+: shop\.outputs\.pg\.session_settings\.extra_float_digits: expected 1 \(or no extra_float_digits\): hindsight writes a double segment or class as the shortest text that reads back as it, as every other warehouse does; got 0$/);
  });

  it("refuse DuckDB settings that change the order or equality of hindsight's comparisons", () => {
    const profiles = (settings: string) => `shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, settings: {threads: 2, ${settings}}}\n`;
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('Default_Order: ASC, default_collation: binary') });
    expect(loadProjectAndTarget(dir).target.output).toMatchObject({ settings: { Default_Order: 'ASC', default_collation: 'binary' } });
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles('default_order: desc, DEFAULT_COLLATION: nocase') })).toMatchInlineSnapshot(`
      "profiles.yml:4:63: shop.outputs.dev.settings.default_order: expected asc (or no default_order): hindsight's queries leave ascending order implicit, and another default reverses their ranks; got "desc"
      profiles.yml:4:88: shop.outputs.dev.settings.DEFAULT_COLLATION: expected binary (or no default_collation): hindsight compares text byte by byte, and another collation merges or reorders values (docs/semantics.md); got "nocase""
    `);
  });

  it("read the monitor files of `monitor-paths: [.]`, not the project's hindsight.yml and profiles.yml as ones", () => {
    // (they were: "hindsight.yml:1:1: name: unknown key "name"; expected one of: monitors, version", and more)
    const dir = project({ 'hindsight.yml': `${HINDSIGHT}monitor-paths: [.]\n`, 'churn.yml': MONITOR, 'profiles.yml': PROFILES });
    expect(loadProjectAndTarget(dir).project.monitors.map((m) => m.name)).toEqual(['churn']);
    expect(errors({ 'hindsight.yml': `${HINDSIGHT}monitor-paths: ["."]\n`, 'churn.yml': MONITOR.replace('within: 30 days', 'within: 30 dayz'), 'profiles.yml': PROFILES })).toMatchInlineSnapshot(`"churn.yml:15:15: monitors[0].join.within: expected a duration like "14 days", "36 hours" or "2 weeks"; got "30 dayz""`);
  });

  it('say what a number must be where its description says what it is for, once', () => {
    // (\"expected the seasonal lag of MASE's naive forecast, in horizon units; got 0\", and a score_bins
    // of 5 twice, said what the numbers are for, not that they must be whole and at least 1)
    const monitor = MONITOR.replace('      within: 30 days\n', '      within: 30 days\n    approximate_ranking: {score_bins: 5}\n');
    const profiles = `shop:\n  target: bq\n  outputs:\n    bq: {type: bigquery, project: p, maximum_bytes_billed: 0, job_timeout_seconds: 1.5}\n`;
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': monitor, 'profiles.yml': PROFILES })).toMatchInlineSnapshot(`"monitors/churn.yml:16:39: monitors[0].approximate_ranking.score_bins: expected a multiple of 10 from 10 to 1000000: equal-width bins over [0, 1]; the error bounds shrink as they get finer; got 5"`);
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles })).toMatchInlineSnapshot(`
      "profiles.yml:4:60: shop.outputs.bq.maximum_bytes_billed: expected a whole number of 1 or more: a cap on the bytes each query may bill; a query over it fails instead of running; got 0
      profiles.yml:4:84: shop.outputs.bq.job_timeout_seconds: expected a whole number of 1 or more: how long a query may run before BigQuery cancels it, in seconds; got 1.5"
    `);
    const snowflake = `shop:\n  target: sf\n  outputs:\n    sf: {type: snowflake, account: a, user: u, database: d, connect_retries: -1}\n`;
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': snowflake })).toMatchInlineSnapshot(`"profiles.yml:4:78: shop.outputs.sf.connect_retries: expected a whole number of 0 or more: how many times to retry logging in after a transient error (network, HTTP 5xx, 408 or 429); default 7, the driver's; got -1"`);
  });

  it('report an alias of no anchor, and aliases that expand beyond what YAML reads, where they are written', () => {
    // (both made toJS() throw: "Unresolved alias (the anchor must be set before the alias): nope" and
    // "Excessive alias count indicates a resource exhaustion attack", with no file or line, exit 1)
    const profiles = `${PROFILES}      path: *db\n`;
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR.replace('score: p_churn', 'score: *nope'), 'profiles.yml': profiles })).toMatchInlineSnapshot(`"monitors/churn.yml:8:14: monitors[0].predictions.score: YAML: the alias *nope names no anchor; define it first (\`&nope\` before the alias), or write the value"`);
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles })).toMatchInlineSnapshot(`"profiles.yml:6:13: shop.outputs.dev.path: YAML: the alias *db names no anchor; define it first (\`&db\` before the alias), or write the value"`);
    const laughs = ['zz: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((c, i) => `z${c}: &${c} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n');
    expect(errors({ 'hindsight.yml': `${HINDSIGHT}${laughs}\n`, 'monitors/churn.yml': MONITOR, 'profiles.yml': PROFILES })).toMatchInlineSnapshot(`"hindsight.yml:4:9: zb[0]: YAML: its aliases cannot be read (Excessive alias count indicates a resource exhaustion attack); write the values, or fewer aliases of aliases"`);
  });

  it('read a file of more than 100 monitors that share one anchor (merge keys or aliases)', () => {
    // (yaml's default limit of 100 uses of an anchor refused the 101st monitor of `- <<: *defaults`:
    // "monitors[1].Symbol(<<): YAML: its aliases cannot be read (Excessive alias count indicates a
    // resource exhaustion attack); write the values, or fewer aliases of aliases", exit 2)
    const [head, ...rest] = MONITOR.split('\n  - name: churn\n');
    const shared = `${head}\n  - &defaults\n    name: churn\n${rest.join('')}`;
    const copies = Array.from({ length: 150 }, (_, i) => `  - <<: *defaults\n    name: churn_${i}\n`).join('');
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': `${shared}${copies}`, 'profiles.yml': PROFILES });
    expect(loadProjectAndTarget(dir).project.monitors).toHaveLength(151);
    const path = `${PROFILES.replace('type: duckdb', 'type: duckdb\n      path: &p target/db.duckdb')}${Array.from({ length: 150 }, (_, i) => `    d${i}: {type: duckdb, path: *p}\n`).join('')}`;
    expect(loadProjectAndTarget(project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': path })).target.name).toBe('dev');
  });

  it('say that monitor-paths lists directories when it names a file', () => {
    expect(errors({ 'hindsight.yml': `${HINDSIGHT}monitor-paths: [monitors/churn.yml]\n`, 'monitors/churn.yml': MONITOR, 'profiles.yml': PROFILES })).toMatchInlineSnapshot(`"hindsight.yml:3:17: monitor-paths[0]: "monitors/churn.yml" is a file: monitor-paths lists directories, whose monitor files (and those of their subdirectories) are all read"`);
  });

  it("say that dbt's unquoted two-argument env_var() must be quoted", () => {
    const profiles = `shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {{ env_var('HINDSIGHT_DB', 'a.duckdb') }}\n`;
    expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles })).toMatchInlineSnapshot(`"profiles.yml:6:50: shop.outputs.dev.path: YAML syntax error: Missing , or : between flow map items; a {{ … }} template must be quoted, or YAML reads it as a mapping: write "{{ … }}""`);
  });

  it("do not report another target's problems, or its unset variables", () => {
    delete process.env.HINDSIGHT_TEST_SURELY_UNSET;
    const profiles = BROKEN_PROFILES.replace('      threds: 4\n', '');
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': profiles });
    expect(loadProjectAndTarget(dir, { target: 'dev' }).target).toEqual({ profile: 'shop', name: 'dev', output: { type: 'duckdb', path: ':memory:' } });
  });

  it('report an unknown profile where hindsight.yml names it', () => {
    const text = errors({
      'hindsight.yml': `name: shop
profile: shopp
`,
      'monitors/churn.yml': MONITOR,
      'profiles.yml': PROFILES,
    });
    expect(text).toMatchInlineSnapshot(`"hindsight.yml:2:10: profile: profile "shopp" is not defined in profiles.yml; defined: shop (did you mean "shop"?)"`);
  });

  it('report an unknown target, from the profile or from --target', () => {
    const files = { 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR, 'profiles.yml': PROFILES.replace('target: dev', 'target: dve') };
    expect(errors(files)).toMatchInlineSnapshot(`"profiles.yml:2:11: shop.target: target "dve" is not defined in shop.outputs; defined: dev (did you mean "dev"?)"`);
    expect(errors({ ...files, 'profiles.yml': PROFILES }, { target: 'prod' })).toMatchInlineSnapshot(`"profiles.yml:3:3: --target: target "prod" is not defined in shop.outputs; defined: dev"`);
  });

  it("take the target and profiles directory from HINDSIGHT_TARGET and HINDSIGHT_PROFILES_DIR, as dbt's DBT_TARGET and DBT_PROFILES_DIR", () => {
    const profiles = PROFILES + '    ci:\n      type: duckdb\n      path: ci.duckdb\n';
    const elsewhere = project({ 'profiles.yml': profiles });
    const dir = project({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR });
    process.env.HINDSIGHT_PROFILES_DIR = elsewhere;
    process.env.HINDSIGHT_TARGET = 'ci';
    try {
      expect(loadProjectAndTarget(dir).target).toMatchObject({ name: 'ci', output: { path: join(dir, 'ci.duckdb') } });
      expect(loadProjectAndTarget(dir, { target: 'dev' }).target.name).toBe('dev'); // (the option first)
      process.env.HINDSIGHT_TARGET = 'prod';
      expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR })).toMatch(/profiles\.yml:3:3: HINDSIGHT_TARGET: target "prod" is not defined in shop\.outputs; defined: dev, ci$/);
      process.env.HINDSIGHT_PROFILES_DIR = join(elsewhere, 'nowhere');
      expect(errors({ 'hindsight.yml': HINDSIGHT, 'monitors/churn.yml': MONITOR })).toMatch(/profiles\.yml:1:1: not found in \S+nowhere \(HINDSIGHT_PROFILES_DIR\)/);
    } finally {
      delete process.env.HINDSIGHT_PROFILES_DIR;
      delete process.env.HINDSIGHT_TARGET;
    }
  });

  it('report problems of hindsight.yml', () => {
    const { error, dir } = configError({});
    expect(shown(error.message, dir)).toMatchInlineSnapshot(`"hindsight.yml:1:1: no hindsight.yml in <project>; create a project with \`hindsight init\` or pass --project-dir"`);
    const text = errors({
      'hindsight.yml': `name: shop
profile: shop
schema: 2024-metrics
monitor-paths: [monitor, more/monitors]
targets: prod
`,
      'profiles.yml': PROFILES,
      'monitors/churn.yml': MONITOR,
    });
    expect(text).toMatchInlineSnapshot(`
      "hindsight.yml:3:9: schema: expected a schema name (letters, digits, _ and $, not starting with a digit); got "2024-metrics"
      hindsight.yml:4:17: monitor-paths[0]: directory "monitor" does not exist in the project directory (did you mean "monitors"?)
      hindsight.yml:4:26: monitor-paths[1]: directory "more/monitors" does not exist in the project directory
      hindsight.yml:5:1: targets: unknown key "targets"; expected one of: name, profile, schema, monitor-paths, seed-paths, target-path, seeds, version"
    `);
  });

  it('report all the errors of all the files in one pass', () => {
    const { error, dir } = configError({
      'hindsight.yml': `name: shop
profile: shop
schema: hindsight
monitor-paths: [monitors, more]
tagret-path: out
`,
      'profiles.yml': PROFILES,
      'monitors/a.yml': MONITOR.replace('score: p_churn', 'scroe: p_churn'),
      'monitors/b.yml': MONITOR.replace('churn', 'b').replace('label: churned', "label: 'churned"),
      'more/c.yml': MONITOR.replace('churn', 'c').replace('within: 30 days', 'within: 30 dyas').replace('key: id\n      timestamp: churned_at', 'key: [id, line]\n      timestamp: churned_at'),
      'more/d.yml': MONITOR,
    });
    expect(error.issues.map((i) => `${shown(i.file, dir)}:${i.line}:${i.column}`)).toEqual([
      'hindsight.yml:5:1',
      'monitors/a.yml:8:7',
      'monitors/b.yml:13:14',
      'more/c.yml:11:12',
      'more/c.yml:15:15',
      'more/d.yml:2:11',
    ]);
    expect(shown(error.message, dir)).toMatchInlineSnapshot(`
      "hindsight.yml:5:1: tagret-path: unknown key "tagret-path"; expected one of: name, profile, schema, monitor-paths, seed-paths, target-path, seeds, version (did you mean "target-path"?)
      monitors/a.yml:8:7: monitors[0].predictions.scroe: unknown key "scroe"; expected one of: relation, sql, key, timestamp, dedupe, model_version, where, score (did you mean "score"?)
      monitors/b.yml:13:14: monitors[0].outcomes.label: YAML syntax error: this string has no closing quote
      more/c.yml:11:12: monitors[0].outcomes.key: has 2 column(s) but predictions.key has 1; keys are matched position by position
      more/c.yml:15:15: monitors[0].join.within: expected a duration like "14 days", "36 hours" or "2 weeks"; got "30 dyas"
      more/d.yml:2:11: monitors[0].name: monitor "churn" is already declared at monitors/a.yml:2:11; monitor names must be unique in a project"
    `);
  });
});

describe('loadProjectAndTarget', () => {
  it('reports the problems of profiles.yml together with those of the project', () => {
    const dir = project({
      'hindsight.yml': `${HINDSIGHT}targte-path: out\n`,
      'monitors/churn.yml': MONITOR.replace('within: 30 days', 'within: 30 dyas'),
      'profiles.yml': PROFILES.replace('type: duckdb', 'type: duckbd'),
    });
    let error: unknown;
    try {
      loadProjectAndTarget(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(shown((error as ConfigError).message, dir)).toMatchInlineSnapshot(`
      "hindsight.yml:3:1: targte-path: unknown key "targte-path"; expected one of: name, profile, schema, monitor-paths, seed-paths, target-path, seeds, version (did you mean "target-path"?)
      monitors/churn.yml:15:15: monitors[0].join.within: expected a duration like "14 days", "36 hours" or "2 weeks"; got "30 dyas"
      profiles.yml:5:13: shop.outputs.dev.type: expected one of: duckdb, postgres, snowflake, bigquery; got "duckbd" (did you mean "duckdb"?)"
    `);
  });

  // DuckDB reads ~ as the home directory, as dbt-duckdb's profiles have it: resolved against the
  // project first, it made a directory named "~" there and an empty database in it.
  it("reads a DuckDB path's leading ~ as the home directory, and any other relative path from the project directory", () => {
    const withPath = (path: string) => loadProjectAndTarget(project({ ...withMonitors({ 'churn.yml': MONITOR }), 'profiles.yml': `${PROFILES}      path: ${path}\n` }));
    expect(withPath('~/warehouses/shop.duckdb').target.output).toMatchObject({ path: join(homedir(), 'warehouses', 'shop.duckdb') });
    const { project: loaded, target } = withPath('data/~shop.duckdb');
    expect(target.output).toMatchObject({ path: join(loaded.dir, 'data', '~shop.duckdb') });
  });

  it('returns the project and the target of a valid project', () => {
    const { project: loaded, target } = loadProjectAndTarget(project(withMonitors({ 'churn.yml': MONITOR })));
    expect(loaded.monitors.map((m) => m.name)).toEqual(['churn']);
    expect(target.name).toBe('dev');
  });
});

describe('hindsight validate', () => {
  let stdout: string;
  let stderr: string;
  beforeAll(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  });
  afterEach(() => {
    stdout = '';
    stderr = '';
  });
  afterAll(() => vi.restoreAllMocks());
  stdout = '';
  stderr = '';

  it('exits with code 2 and prints every configuration error on stderr', async () => {
    const dir = project(withMonitors({
      'a.yml': `${MONITOR}    granularty: day\n`,
      'b.yml': MONITOR.replace('churn', 'b').replace('score: p_churn', 'score: p_churn\n      dedupe: newest'),
    }));
    const code = await main(['validate', '--project-dir', dir]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(shown(stderr, dir)).toMatchInlineSnapshot(`
      "monitors/a.yml:16:5: monitors[0].granularty: unknown key "granularty"; expected one of: name, type, description, tags, granularity, segments, load_delay, predictions, outcomes, join, threshold, approximate_ranking (did you mean "granularity"?)
      monitors/b.yml:9:15: monitors[0].predictions.dedupe: expected one of: latest, earliest; got "newest"
      2 configuration error(s).
      "
    `);
  });

  it('exits with code 0 for a valid project', async () => {
    const dir = project(withMonitors({ 'churn.yml': MONITOR }));
    const code = await main(['validate', '--project-dir', dir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('OK: 1 monitor(s) in shop\n');
  });

  it('accepts the project `hindsight init` scaffolds', async () => {
    const dir = join(project({}), 'new-project');
    initProject(dir);
    const code = await main(['validate', '--project-dir', dir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('OK: 1 monitor(s) in new_project\n');
  });
});

// A mapping whose order means something keeps the file's order: a multiclass monitor's class scores
// break dedupe ties in configuration order (docs/semantics.md §1.2), and a parsed mapping is a
// JavaScript object, which puts keys like "2" before "1" whatever the file says.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { compileMonitor } from '../../src/compiler/compile.js';
import { duckdb } from '../../src/dialects/duckdb.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function project(monitor: string) {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-order-'));
  made.push(dir);
  writeFileSync(join(dir, 'hindsight.yml'), 'name: shop\nprofile: shop\nschema: hindsight\n');
  mkdirSync(join(dir, 'monitors'));
  writeFileSync(join(dir, 'monitors', 'm.yml'), `monitors:\n${monitor}`);
  return loadProject(dir, { partialParse: false }).monitors[0]!;
}

const SOURCES = `    outcomes: {relation: raw.o, key: id, timestamp: ts, label: y}
    join: {within: 2 days}
    granularity: day
`;

it('keeps class scores in the order written, integer-like names too', () => {
  const m = project(`  - name: sizes
    type: multiclass_classification
    predictions: {relation: raw.p, key: id, timestamp: ts, predicted_class: c, class_scores: {"2": p2, "10": p10, "1": p1}}
${SOURCES}`);
  expect(m.classes.map((c) => c.name)).toEqual(['2', '10', '1']);
  // and the dedupe's tie-break follows it
  const sql = compileMonitor({ monitor: m, schema: 'hindsight', dialect: duckdb, run: { asOf: new Date('2026-03-01T00:00:00Z'), runId: 'r', computedAt: new Date(0) } })
    .find((s) => s.name === 'prediction_events')!.sql;
  expect(sql).toMatch(/events\."p2" desc nulls last,\s*events\."p10" desc nulls last,\s*events\."p1" desc nulls last/);
});

it('keeps regression outputs in the order written', () => {
  const m = project(`  - name: sizes
    type: regression
    predictions: {relation: raw.p, key: id, timestamp: ts}
    outcomes: {relation: raw.o, key: id, timestamp: ts}
    outputs: {"2": {prediction: a, label: b}, "1": {prediction: c, label: d}, x: {prediction: e, label: f}}
    join: {within: 2 days}
    granularity: day
`);
  expect(m.outputs.map((o) => o.name)).toEqual(['2', '1', 'x']);
});

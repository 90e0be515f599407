// Incremental runs read the team's sources from a literal time on. Issue 6 asks that compiled SQL
// "filters sources on their timestamp in incremental runs, so BigQuery partitions and Snowflake
// micro-partitions prune", and BigQuery prunes partitions by constant filters only: a bound computed
// by a subquery of the same statement reads every partition. This checks every statement an
// incremental run executes, its planning passes included, for every monitor the warehouse proofs
// compile and every dialect. A forecast's run starts from MASE's stored history here
// (test/warehouses/cases.ts plans it so); one whose new data reach back before that history reads
// every actual, as a full refresh does (docs/semantics.md §7).
import { describe, expect, it } from 'vitest';
import type { Monitor } from '../../src/config/monitor.js';
import { dialects, type Dialect } from '../../src/dialects/index.js';
import { compiledMonitors, statementsInOrder } from '../warehouses/cases.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A lower bound on a source's time column as the dialect renders it (Dialect.timeFilter), for any
 * instant: a midnight and a time of day are rendered, and their dates (the instant's, or a day bound
 * around it) and times made any digits.
 */
function lowerBound(d: Dialect, column: string): RegExp {
  const samples = [new Date('2000-01-01T00:00:00Z'), new Date('2000-01-01T12:34:56.789Z')];
  const shapes = (['>=', '>'] as const).flatMap((op) => samples.map((at) => d.timeFilter(column, op, at)));
  const patterns = shapes.map((shape) => escape(shape).replace(/[0-9]{4}-[0-9]{2}-[0-9]{2}/g, '[0-9]{4}-[0-9]{2}-[0-9]{2}').replace(/12:34:56\\.789/g, '[0-9:.]+'));
  return new RegExp(`^(${patterns.join('|')})$`);
}

/**
 * How a source is read in compiled SQL (`from` its relation, or the end of the team's query wrapped as
 * `source`), and any mention of it at all: each mention must be such a read.
 */
function sourceReference(d: Dialect, source: Monitor['predictions'] | Monitor['outcomes']): { read: RegExp; mention: RegExp } {
  if (source.relation) {
    const relation = escape(d.relation(source.relation));
    return { read: new RegExp(`from ${relation}\\n`, 'g'), mention: new RegExp(relation, 'g') };
  }
  const lastLine = escape(source.sql!.trim().split('\n').at(-1)!.trim());
  return { read: new RegExp(`${lastLine}\\n *\\) as source\\n`, 'g'), mention: new RegExp(lastLine, 'g') };
}

/** The columns a source's lower bound may be on: its time columns (a forecast has more than one). */
function timeColumns(monitor: Monitor, source: 'predictions' | 'outcomes'): string[] {
  const f = monitor.forecast;
  const columns = [monitor[source].timestamp];
  if (f && source === 'predictions') columns.push(f.targetTime.column, ...(f.loggedAt ? [f.loggedAt.column] : []));
  if (f && source === 'outcomes' && f.actualLoggedAt) columns.push(f.actualLoggedAt.column);
  return columns;
}

/** The conditions of the where clause that starts the text: its first line and the `and` lines after it. */
function whereConditions(text: string): string[] {
  const lines = text.split('\n');
  const first = lines[0]!.trim();
  if (!first.startsWith('where ')) return [];
  const conditions = [first.slice('where '.length)];
  for (const line of lines.slice(1)) {
    if (!line.trim().startsWith('and ')) break;
    conditions.push(line.trim().slice('and '.length));
  }
  return conditions;
}

for (const name of ['duckdb', 'postgres', 'bigquery', 'snowflake']) {
  const d = dialects[name]!;
  describe(`incremental source reads on ${name}`, () => {
    for (const c of compiledMonitors(d)) {
      it(c.monitor.name, () => {
        let reads = 0;
        for (const [label, sql] of statementsInOrder(d, c)) {
          if (label === 'setup' || label.startsWith('full_refresh')) continue;
          for (const source of ['predictions', 'outcomes'] as const) {
            const reference = sourceReference(d, c.monitor[source]);
            const found = [...sql.matchAll(reference.read)];
            expect(found.length, `${c.monitor.name}, ${label}: every mention of the ${source} source is a read checked here`).toBe([...sql.matchAll(reference.mention)].length);
            const bounds = timeColumns(c.monitor, source).map((column) => lowerBound(d, d.quote(column)));
            const isLowerBound = (condition: string) => bounds.some((bound) => bound.test(condition));
            for (const match of found) {
              reads++;
              const conditions = whereConditions(sql.slice(match.index + match[0].length));
              const where = `${c.monitor.name}, ${label}, ${source}: ${conditions.join(' and ')}`;
              // never unfiltered, and no bound computed in the statement itself
              expect(conditions.length, where).toBeGreaterThan(0);
              expect(conditions.some((condition) => /\bselect\b/i.test(condition) || condition.endsWith('(')), where).toBe(false);
              expect(conditions.some(isLowerBound), where).toBe(true);
            }
          }
        }
        // every monitor reads its sources somewhere in an incremental run
        expect(reads).toBeGreaterThanOrEqual(2);
      });
    }
  });
}

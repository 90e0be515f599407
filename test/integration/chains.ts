// Chains of runs against full refreshes, shared by the incremental fuzz tests
// (incremental-fuzz.test.ts, forecast-recommendation-fuzz.test.ts): a full refresh at a first as-of,
// then at each later one the events that arrived since are appended and the default run, which must be
// incremental, is compared row for row with a full refresh of the same project into a fresh schema.
import type { Adapter } from '../../src/adapters/index.js';
import type { MetricRow } from '../reference/pipeline.js';
import { columnLiteral, readMetrics, rowKey, runProject, uniqueName, type Column } from './harness.js';

/** One row that differs: its table, key, and what each side has. */
export interface Diff { table: string; key: string; incremental: unknown; full: unknown }

/** Metric rows of the incremental side against the full refresh's, by group and metric (duplicates too). */
export function diffMetrics(a: MetricRow[], b: MetricRow[]): Diff[] {
  const A = new Map(a.map((r) => [rowKey(r), r]));
  const B = new Map(b.map((r) => [rowKey(r), r]));
  const diffs: Diff[] = [];
  if (A.size !== a.length || B.size !== b.length) diffs.push({ table: 'metrics', key: 'duplicate metric rows', incremental: a.length - A.size, full: b.length - B.size });
  for (const [k, r] of A) {
    const s = B.get(k);
    if (!s) diffs.push({ table: 'metrics', key: k, incremental: [r.value, r.sampleSize], full: 'absent' });
    else if (r.value !== s.value || r.sampleSize !== s.sampleSize || r.windowEnd !== s.windowEnd) diffs.push({ table: 'metrics', key: k, incremental: [r.value, r.sampleSize], full: [s.value, s.sampleSize] });
  }
  for (const [k, s] of B) if (!A.has(k)) diffs.push({ table: 'metrics', key: k, incremental: 'absent', full: [s.value, s.sampleSize] });
  return diffs;
}

const norm = (v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v);
const rowText = (r: Record<string, unknown>) => JSON.stringify(Object.entries(r).map(([c, v]) => [c, norm(v)]));

/** Whole rows of a table on both sides, compared as multisets (every column, every copy). */
export function diffRows(table: string, a: Record<string, unknown>[], b: Record<string, unknown>[]): Diff[] {
  const count = (rows: Record<string, unknown>[]) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(rowText(r), (m.get(rowText(r)) ?? 0) + 1);
    return m;
  };
  const A = count(a);
  const B = count(b);
  const diffs: Diff[] = [];
  for (const [k, n] of A) if ((B.get(k) ?? 0) !== n) diffs.push({ table, key: k, incremental: n, full: B.get(k) ?? 0 });
  for (const [k, n] of B) if (!A.has(k)) diffs.push({ table, key: k, incremental: 0, full: n });
  return diffs;
}

/**
 * What differs between two output schemas, per monitor: its metric rows, and the whole rows of its own
 * tables `<monitor>__<table>` (the evaluations, and for a forecast its MASE history).
 */
export async function diffSchemas(adapter: Adapter, a: string, b: string, monitors: string[], tables: string[] = ['evaluations']): Promise<Diff[]> {
  const diffs: Diff[] = [];
  for (const mon of monitors) {
    const tag = (ds: Diff[]) => ds.map((d) => ({ ...d, table: `${mon}:${d.table}` }));
    diffs.push(...tag(diffMetrics(await readMetrics(adapter, a, mon), await readMetrics(adapter, b, mon))));
    for (const t of tables) diffs.push(...tag(diffRows(t, await adapter.query(`select * from ${a}.${mon}__${t}`), await adapter.query(`select * from ${b}.${mon}__${t}`))));
  }
  return diffs;
}

/** Appends rows to a table that exists, 500 to a statement. */
export async function insertRows(adapter: Adapter, table: string, columns: Column[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await adapter.execute(`insert into ${table} values ${chunk.map((r) => `(${r.map((v, j) => columnLiteral(adapter, v, columns[j]!.type)).join(', ')})`).join(',\n')}`);
  }
}

export interface ChainOptions {
  /** The as-of times, ascending: the first run's, then each incremental run's. */
  asOfs: number[];
  /** The output schema of the chain's own runs. */
  out: string;
  /** Writes the project that runs the monitors into `schema`; returns its directory. */
  project: (schema: string) => string;
  /** Loads the events that had arrived by the first as-of. */
  load: (asOf: number) => Promise<void>;
  /** Appends the events that arrived in (from, to]. */
  append: (from: number, to: number) => Promise<void>;
  /** The rows that differ between the chain's schema and a full refresh's. */
  compare: (out: string, fullRefresh: string) => Promise<Diff[]>;
  /** Called after incremental run `i` and its full refresh (whose schema is dropped after it). */
  inspect?: (i: number, dir: string, fullRefresh: string) => Promise<void>;
}

export interface ChainOutcome { steps: number; modes: string[]; failedAt?: number; diffs?: Diff[]; error?: string }

/** Runs the chain; stops at the first incremental run that is not one or that differs. */
export async function runChain(adapter: Adapter, o: ChainOptions): Promise<ChainOutcome> {
  const outcome: ChainOutcome = { steps: 0, modes: [] };
  await o.load(o.asOfs[0]!);
  const dir = o.project(o.out);
  const firsts = await runProject(adapter, dir, { asOf: new Date(o.asOfs[0]!) });
  for (const r of firsts) if (r.error) throw r.error;
  outcome.modes.push(firsts.map((r) => r.mode).join('+'));
  for (let i = 1; i < o.asOfs.length; i++) {
    const asOf = o.asOfs[i]!;
    await o.append(o.asOfs[i - 1]!, asOf);
    const incs = await runProject(adapter, dir, { asOf: new Date(asOf) });
    for (const r of incs) if (r.error) throw r.error;
    outcome.modes.push(incs.map((r) => r.mode).join('+'));
    const inc = incs.find((r) => r.mode !== 'incremental') ?? incs[0]!;
    const full = uniqueName('hs');
    const fulls = await runProject(adapter, o.project(full), { asOf: new Date(asOf), fullRefresh: true });
    for (const r of fulls) if (r.error) throw r.error;
    const diffs = await o.compare(o.out, full);
    await o.inspect?.(i, dir, full);
    await adapter.execute(`drop schema ${full} cascade`);
    outcome.steps = i;
    if (inc.mode !== 'incremental') return { ...outcome, failedAt: i, error: `mode ${inc.mode}: ${inc.reason}` };
    if (diffs.length) return { ...outcome, failedAt: i, diffs };
  }
  return outcome;
}

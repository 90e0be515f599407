// Before any SQL runs: every configured column must exist in its source. Saying which ones are
// missing (and which exist) beats a warehouse error from deep inside a compiled query.
import type { Adapter } from '../adapters/index.js';
import { arrivalColumn, type Monitor, type SourceSpec } from '../config/monitor.js';
import { COLUMN_NAME } from '../config/schema.js';
import { closest } from '../config/suggest.js';
import { ConfigError, warehouseSaid, type ConfigIssue } from '../errors.js';

/** A source read whole (its relation, or its `sql:` as it is), or under these conditions (a `sql:` source wrapped, as the steps read it). */
function sourceSelect(adapter: Adapter, source: SourceSpec, conditions: string[] = []): string {
  if (conditions.length === 0) return source.relation ? `select * from ${adapter.dialect.relation(source.relation)}` : source.sql!;
  const from = source.relation ? adapter.dialect.relation(source.relation) : `(\n${source.sql}\n) as source`;
  return `select * from ${from}\nwhere ${conditions.join('\nand ')}`;
}

type Column = { name: string; type: string };

/**
 * A source's columns, read as the first steps read it: bounded by the run's as-of on its time column
 * (a constant, as the steps bound it: a BigQuery table with require_partition_filter refuses any query,
 * dry runs included, without such a filter on its partitioning column) and through the predictions'
 * `where:`. When that fails (a time column that is missing or not comparable, which the types then
 * report, or a `where:` that is wrong), the source is read as before: through the `where:`, then alone,
 * to say which of the two is wrong (`whereFailed`), or that it cannot be read at all (`unreadable`, the
 * error of reading it alone); last, bounded alone, where only a bounded query can read it, whose
 * `where:` is then what fails.
 */
async function probeColumns(adapter: Adapter, source: SourceSpec, where: string | undefined, bound: string | undefined): Promise<{ columns: Column[]; whereFailed?: unknown } | { unreadable: unknown }> {
  const read = (...conditions: (string | undefined)[]) =>
    adapter.columns(sourceSelect(adapter, source, conditions.filter((c): c is string => c !== undefined))).then(
      (columns) => ({ columns, error: undefined }),
      (error: unknown) => ({ columns: undefined, error }),
    );
  const filter = where ? `(${where}\n)` : undefined;
  const bounded = bound === undefined ? undefined : await read(filter, bound);
  if (bounded?.columns) return { columns: bounded.columns };
  const filtered = filter === undefined ? undefined : await read(filter);
  if (filtered?.columns) return { columns: filtered.columns };
  const whole = await read();
  if (whole.columns) return { columns: whole.columns, whereFailed: filtered?.error };
  const boundedAlone = bound === undefined || filter === undefined ? undefined : await read(bound);
  if (boundedAlone?.columns) return { columns: boundedAlone.columns, whereFailed: bounded!.error };
  return { unreadable: whole.error };
}

/**
 * A relation that cannot be read as written, in lower case, when that can be read: each part is
 * quoted, so on Postgres `raw.Events` is not the table made unquoted as raw.Events (stored raw.events),
 * which the warehouse then says "does not exist"; on Snowflake a lower-case name is left unquoted and
 * finds the one it stores in upper case.
 */
async function readableInLowerCase(adapter: Adapter, source: SourceSpec): Promise<string | undefined> {
  const lower = source.relation?.toLowerCase();
  if (lower === undefined || lower === source.relation) return undefined;
  return adapter.columns(sourceSelect(adapter, { ...source, relation: lower })).then(() => lower, () => undefined);
}

/** [column, the config key that names it] for each side of the monitor. */
function configuredColumns(monitor: Monitor): ['predictions' | 'outcomes' | 'catalog', SourceSpec, [string, string][]][] {
  const p = monitor.predictions;
  const o = monitor.outcomes;
  const r = monitor.recommendation;
  const catalog = r?.catalog;
  return [
    ['predictions', p, [
      ...p.key.map((k): [string, string] => [k, p.configKeys?.key ?? 'predictions.key']),
      [p.timestamp, p.configKeys?.timestamp ?? 'predictions.timestamp'],
      ...p.values.map((v): [string, string] => [v.column, v.configKey]),
      ...(p.modelVersion ? [[p.modelVersion, 'predictions.model_version'] as [string, string]] : []),
      ...monitor.segments.map((s, i): [string, string] => [s.column, `segments[${i}]`]),
      ...(r?.match ?? []).map((c): [string, string] => [c, 'predictions.match']),
    ]],
    ['outcomes', o, [
      ...o.key.map((k): [string, string] => [k, o.configKeys?.key ?? 'outcomes.key']),
      [o.timestamp, o.configKeys?.timestamp ?? 'outcomes.timestamp'],
      ...o.values.map((v): [string, string] => [v.column, v.configKey]),
    ]],
    ...(catalog
      ? [['catalog', { relation: catalog.relation, sql: catalog.sql, key: [], timestamp: '', dedupe: 'latest' }, [[catalog.item, 'catalog.item']]] as ['catalog', SourceSpec, [string, string][]]]
      : []),
  ];
}

/**
 * The config keys of a side's columns that hindsight compares with times: its timestamp, and a
 * forecast's other times (a column also named by a key is checked where it is a time).
 */
function timeKeys(monitor: Monitor, side: 'predictions' | 'outcomes' | 'catalog'): string[] {
  if (side === 'catalog') return [];
  const source = monitor[side];
  return [source.configKeys?.timestamp ?? `${side}.timestamp`, ...source.values.filter((v) => v.kind === 'timestamp').map((v) => v.configKey)];
}

/**
 * The family of a column type as the adapter names it (DuckDB's BIGINT, Postgres's int8, BigQuery's
 * INT64, Snowflake's fixed, …), for the checks that compare types; undefined for one it does not know.
 * A UUID is a family of its own: Postgres compares it with no text, and DuckDB casts the text to a
 * UUID, failing on one that is not (both deep in outcome_matches).
 */
export function typeFamily(type: string): 'number' | 'text' | 'time' | 'boolean' | 'uuid' | undefined {
  const t = type.trim();
  if (/^uuid$/i.test(t)) return 'uuid';
  if (/^(u?(tiny|small|big|huge)?int(eger)?\d*|(big)?numeric.*|decimal.*|double.*|float\d*|real|number.*|fixed)$/i.test(t)) return 'number';
  if (/^((var)?char.*|character.*|bpchar|text|string)$/i.test(t)) return 'text';
  if (/^(date|datetime|timestamp.*)$/i.test(t)) return 'time';
  if (/^bool(ean)?$/i.test(t)) return 'boolean';
  return undefined;
}

/**
 * Why a column of this type (as the adapter names it) cannot be one of a monitor's times, if it
 * cannot, and what to do: a number (epoch seconds, say) nowhere; text where the warehouse does not
 * compare it with timestamps (Capabilities.textTimestamps). Otherwise the warehouse would fail deep
 * in a step.
 */
function notATime(type: string, adapter: Adapter): [string, string] | [] {
  const family = typeFamily(type);
  const convert = 'convert it to a timestamp in a `sql:` source';
  if (family === 'number') return ['a number, not a timestamp or a date', convert];
  // (a boolean passed, then failed in the first step: "Cannot compare values of type BOOLEAN and
  // type TIMESTAMP"). A boolean or a UUID holds no time to convert: another column was meant.
  if (family === 'boolean') return ['a boolean, not a timestamp or a date', NAME_THE_TIME];
  if (family === 'uuid') return ['a UUID, not a timestamp or a date', NAME_THE_TIME];
  if (family === 'text' && !adapter.dialect.capabilities.textTimestamps) return [`text, which ${adapter.type} does not compare with timestamps`, convert];
  return [];
}

const NAME_THE_TIME = 'name the column that holds its time (a timestamp or a date)';

/**
 * Why a column of this type cannot be a 1/0 label, if it cannot, and what to do: text (a warehouse
 * casts '1' and '0' and fails on 'yes', 'true' or ' 1' with its own words, deep in a step;
 * docs/semantics.md §2 promises a message that names outcomes.label), a time or a UUID.
 */
function notALabel(type: string, column: string): [string, string] | [] {
  const family = typeFamily(type);
  if (family === 'text') {
    return ['text, not 1/0 or a boolean', `make it 1/0 in a \`sql:\` source, keeping NULL for no label (\`case ${column} when 'yes' then 1 when 'no' then 0 end as ${column}\`, or \`cast(${column} as integer)\` for '1'/'0')`];
  }
  // (a timestamp passed, then failed in the first step: "Unimplemented type for cast (TIMESTAMP -> INTEGER)").
  // Neither a time nor a UUID casts to 1/0 (the text label's advice, a cast to an integer, failed
  // the same way): another column was meant, or a label computed from this one.
  const other = `name the column that holds the 1/0 or true/false label, or compute one in a \`sql:\` source`;
  if (family === 'time') return ['a timestamp or a date, not 1/0 or a boolean', `${other} (\`case when ${column} is not null then 1 else 0 end\`, where a time set means a positive)`];
  if (family === 'uuid') return ['a UUID, not 1/0 or a boolean', other];
  return [];
}

/**
 * Why a column of this type cannot hold numbers (a score, a prediction, a class score, a rank, an
 * actual …), if it cannot: a time or a UUID, which no warehouse casts to a double. It passed the
 * check, then failed deep in the first step (DuckDB: "Unimplemented type for cast (TIMESTAMP -> DOUBLE)").
 */
function notANumber(type: string): string | undefined {
  const family = typeFamily(type);
  if (family === 'time') return 'a timestamp or a date, not a number';
  if (family === 'uuid') return 'a UUID, not a number';
  return undefined;
}

/**
 * Why a column of this type (as the adapter names it) cannot hold classes or items, which are
 * compared as text (Dialect.toText), if it cannot: a decimal with a scale, whose text keeps it (a
 * DECIMAL(4,1) of 1 is '1.0', which no class 1 of the other side or of `class_scores` equals; every
 * confusion row read 1.0→1 and accuracy 0), or a Postgres numeric without a declared one, which keeps
 * each value's own. BigQuery's NUMERIC is written without trailing zeros, and its adapter names no
 * scale: not refused.
 */
function notAClass(type: string, adapter: Adapter): string | undefined {
  const t = type.trim();
  const scale = /^(decimal|numeric|number)\s*\(\s*\d+\s*,\s*(-?\d+)\s*\)$/i.exec(t)?.[2];
  if (scale !== undefined && Number(scale) > 0) return 'a decimal';
  if (adapter.type === 'postgres' && /^numeric$/i.test(t)) return 'a decimal without a declared scale';
  return undefined;
}

/** [prediction-side column, outcome-side column] matched position by position, with the config keys naming them. */
function matchedKeys(monitor: Monitor): { predictions: string[]; outcomes: string[]; predictionsKey: string } {
  const r = monitor.recommendation;
  return r
    ? { predictions: r.match, outcomes: monitor.outcomes.key, predictionsKey: 'predictions.match' }
    : { predictions: monitor.predictions.key, outcomes: monitor.outcomes.key, predictionsKey: monitor.predictions.configKeys?.key ?? 'predictions.key' };
}

/**
 * Checks the monitor's configured columns against its sources (a ConfigError lists every problem),
 * read as a run at `asOf` reads them, and returns its time columns that are text, which the
 * warehouse compares with timestamps (RunContext.textTimes).
 */
export async function checkColumns(adapter: Adapter, monitor: Monitor, asOf: Date): Promise<string[]> {
  const textTimes = new Set<string>();
  const issues: ConfigIssue[] = [];
  // (a monitor built in code, not read from a file, has no positions)
  const at = (key: string) => monitor.positions[key] ?? { line: 1, column: 1, key: `${monitor.name}.${key}` };
  const typesOf: Partial<Record<'predictions' | 'outcomes', Map<string, string>>> = {};
  for (const [side, source, wanted] of configuredColumns(monitor)) {
    const what = source.relation ?? `the ${side} sql`;
    const sourceKey = `${side}.${source.relation ? 'relation' : 'sql'}`;
    // The predictions are read through their `where:`, as the first step reads them (a misspelt
    // column in it passed debug, then failed in prediction_events), and every source below the run's
    // as-of on its time column, as the steps bound it (probeColumns).
    const column = arrivalColumn(monitor, side);
    const bound = column === undefined ? undefined : adapter.dialect.timeFilter(adapter.dialect.quote(column), '<=', asOf);
    const probe = await probeColumns(adapter, source, side === 'predictions' ? monitor.predictions.where : undefined, bound);
    if ('unreadable' in probe) {
      const lower = await readableInLowerCase(adapter, source);
      issues.push({
        file: monitor.file,
        ...at(sourceKey),
        message: `cannot read ${what}: ${warehouseSaid(probe.unreadable)}${lower ? `; ${lower} can be read: each part of a relation is quoted as written, so it must be in the case the warehouse stores it in` : ''}`,
        suggestion: lower,
      });
      continue;
    }
    const { columns, whereFailed } = probe;
    if (whereFailed !== undefined) issues.push({ file: monitor.file, ...at('predictions.where'), message: `cannot filter ${what} by it: ${warehouseSaid(whereFailed)}` });
    const available = columns.map((c) => c.name);
    if (side !== 'catalog') typesOf[side] = new Map(columns.map((c) => [c.name, c.type]));
    const reported = new Set<string>();
    // (by the key that names it: a label column that is also the key was reported at outcomes.key)
    const labels = side === 'outcomes' ? monitor.outcomes.values.filter((v) => v.kind === 'label01').map((v) => v.configKey) : [];
    // the config keys of the columns compared as text: a multiclass monitor's classes, a recommendation's items
    const texts = side === 'catalog' ? ['catalog.item'] : monitor[side].values.filter((v) => v.kind === 'text').map((v) => v.configKey);
    const compared = monitor.recommendation ? 'items' : 'classes';
    const numbers = side === 'catalog' ? [] : monitor[side].values.filter((v) => v.kind === 'number' || v.kind === 'probability').map((v) => v.configKey);
    for (const [column, key] of wanted) {
      const type = columns.find((c) => c.name === column)?.type;
      const [problem, fix] = type === undefined ? []
        : timeKeys(monitor, side).includes(key) ? notATime(type, adapter)
        : labels.includes(key) ? notALabel(type, column)
        : texts.includes(key) ? [notAClass(type, adapter)?.concat(`: ${compared} are compared as text, where 1.0 is not 1`), 'cast it to an integer or text in a `sql:` source']
        : numbers.includes(key) ? [notANumber(type), 'name a numeric column, or compute one in a `sql:` source']
        : [];
      if (type !== undefined && !problem && timeKeys(monitor, side).includes(key) && typeFamily(type) === 'text') textTimes.add(column);
      if (problem && !reported.has(column)) {
        reported.add(column);
        issues.push({ file: monitor.file, ...at(key), message: `column "${column}" of ${what} is ${type}, ${problem}; ${fix}` });
      }
      if (available.includes(column) || reported.has(column)) continue;
      reported.add(column);
      // (a column hindsight cannot name, "Score Date", is suggested with how to rename it)
      const near = closest(column, available);
      const nameable = near === undefined || COLUMN_NAME.test(near);
      issues.push({
        file: monitor.file,
        ...at(key),
        message: `column "${column}" is not in ${what}; it has: ${available.join(', ')}${nameable ? '' : `; the closest, "${near}", is no name a monitor can give (letters, digits, _ and $): rename it in a \`sql:\` source (select "${near}" as ${column} …)`}`,
        suggestion: nameable ? near : undefined,
      });
    }
  }
  // Keys are compared as they are (docs/semantics.md §2): a text key against a number's is cast by
  // DuckDB ('2.5' matched prediction 3, '01' matched 1) and refused by the other warehouses, deep in
  // a step and naming the wrong side's column.
  const keys = matchedKeys(monitor);
  const [predicted, observed] = [typesOf.predictions, typesOf.outcomes];
  for (const [i, column] of keys.outcomes.entries()) {
    const other = keys.predictions[i];
    const [type, otherType] = [observed?.get(column), other === undefined ? undefined : predicted?.get(other)];
    const [family, otherFamily] = [type && typeFamily(type), otherType && typeFamily(otherType)];
    if (!family || !otherFamily || family === otherFamily) continue;
    issues.push({
      file: monitor.file,
      ...at(monitor.outcomes.configKeys?.key ?? 'outcomes.key'),
      message: `column "${column}" of ${monitor.outcomes.relation ?? 'the outcomes sql'} is ${type} (${family}), and the ${keys.predictionsKey} column it is matched to, "${other}" of ${monitor.predictions.relation ?? 'the predictions sql'}, is ${otherType} (${otherFamily}): keys are compared as they are; cast one side to the other's type in a \`sql:\` source`,
    });
  }
  if (issues.length) throw new ConfigError(issues);
  return [...textTimes];
}

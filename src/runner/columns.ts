// Before any SQL runs: every configured column must exist in its source. Saying which ones are
// missing (and which exist) beats a warehouse error from deep inside a compiled query.
import type { Adapter } from '../adapters/index.js';
import type { Monitor, SourceSpec } from '../config/monitor.js';
import { closest } from '../config/suggest.js';
import { ConfigError, type ConfigIssue } from '../errors.js';

function sourceSelect(adapter: Adapter, source: SourceSpec): string {
  return source.relation ? `select * from ${adapter.dialect.relation(source.relation)}` : source.sql!;
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

/** The columns of a side that hindsight compares with times: its timestamp, and a forecast's other times. */
function times(monitor: Monitor, side: 'predictions' | 'outcomes' | 'catalog'): string[] {
  if (side === 'catalog') return [];
  const source = monitor[side];
  return [source.timestamp, ...source.values.filter((v) => v.kind === 'timestamp').map((v) => v.column)];
}

/**
 * Why a column of this type (as the adapter names it) cannot be one of a monitor's times, if it
 * cannot: a number (epoch seconds, say) nowhere; text where the warehouse does not compare it with
 * timestamps (Capabilities.textTimestamps). Otherwise the warehouse would fail deep in a step.
 */
function notATime(type: string, adapter: Adapter): string | undefined {
  const t = type.trim();
  if (/^(u?(tiny|small|big|huge)?int(eger)?\d*|(big)?numeric.*|decimal.*|double.*|float\d*|real|number.*|fixed)$/i.test(t)) return 'a number, not a timestamp or a date';
  if (/^((var)?char.*|bpchar|text|string)$/i.test(t) && !adapter.dialect.capabilities.textTimestamps) return `text, which ${adapter.type} does not compare with timestamps`;
  return undefined;
}

export async function checkColumns(adapter: Adapter, monitor: Monitor): Promise<void> {
  const issues: ConfigIssue[] = [];
  // (a monitor built in code, not read from a file, has no positions)
  const at = (key: string) => monitor.positions[key] ?? { line: 1, column: 1, key: `${monitor.name}.${key}` };
  for (const [side, source, wanted] of configuredColumns(monitor)) {
    const what = source.relation ?? `the ${side} sql`;
    const sourceKey = `${side}.${source.relation ? 'relation' : 'sql'}`;
    let columns: { name: string; type: string }[];
    try {
      columns = await adapter.columns(sourceSelect(adapter, source));
    } catch (e) {
      const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
      issues.push({ file: monitor.file, ...at(sourceKey), message: `cannot read ${what}: ${reason}` });
      continue;
    }
    const available = columns.map((c) => c.name);
    const reported = new Set<string>();
    for (const [column, key] of wanted) {
      const type = columns.find((c) => c.name === column)?.type;
      const problem = type !== undefined && times(monitor, side).includes(column) ? notATime(type, adapter) : undefined;
      if (problem && !reported.has(column)) {
        reported.add(column);
        issues.push({ file: monitor.file, ...at(key), message: `column "${column}" of ${what} is ${type}, ${problem}; convert it to a timestamp in a \`sql:\` source` });
      }
      if (available.includes(column) || reported.has(column)) continue;
      reported.add(column);
      issues.push({
        file: monitor.file,
        ...at(key),
        message: `column "${column}" is not in ${what}; it has: ${available.join(', ')}`,
        suggestion: closest(column, available),
      });
    }
  }
  if (issues.length) throw new ConfigError(issues);
}

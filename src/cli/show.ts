// `hindsight show <monitor>`: the latest windows of one monitor, read back from the metric table.
import { withConnection } from '../adapters/connect.js';
import { loadProjectAndTarget, type Project } from '../config/load.js';
import { closedBefore, sameConfiguration, type Monitor } from '../config/monitor.js';
import { closest } from '../config/suggest.js';
import { projectTable } from '../compiler/names.js';
import { UsageError, warehouseSaid } from '../errors.js';
import { previousRun } from '../runner/run-log.js';
import type { CommonOptions } from './commands.js';
import { formatNumber, table } from './output.js';

/** A usage error with a line per unknown name, each saying it with the closest known name as a hint. */
function unknownNames(unknown: string[], known: string[], says: (name: string, hint: string) => string): UsageError {
  const hint = (u: string) => (closest(u, known) ? ` (did you mean "${closest(u, known)}"?)` : '');
  return new UsageError(unknown.map((u) => says(u, hint(u))).join('\n'));
}

/** `show <monitor>`: one monitor, by its exact name. */
function monitorNamed(project: Project, name: string): Monitor {
  const names = project.monitors.map((m) => m.name);
  if (name === '') throw new UsageError(`show takes the name of one monitor: hindsight show <monitor>; monitors: ${names.join(', ') || 'none'}`);
  const monitor = project.monitors.find((m) => m.name === name);
  if (!monitor) throw unknownNames([name], names, (u, hint) => `show: no monitor named "${u}"${hint}; monitors: ${names.join(', ') || 'none'}`);
  return monitor;
}

/** What `show` prints by default, per problem type (any metric can be asked for with --metrics). */
const SHOW_METRICS: Record<Monitor['type'], string[]> = {
  binary_classification: ['count', 'positive_rate', 'mean_score', 'roc_auc', 'average_precision', 'log_loss', 'ece', 'label_coverage', 'pending'],
  // top_k: the monitor's smallest k of `top_k`
  multiclass_classification: ['count', 'accuracy', 'balanced_accuracy', 'f1_macro', 'cohen_kappa', 'log_loss', 'top_k_accuracy', 'label_coverage', 'pending'],
  regression: ['count', 'mean_error', 'mae', 'rmse', 'r2', 'mape', 'wape', 'label_coverage', 'pending'],
  forecast: ['count', 'bias', 'mae', 'wape', 'mase', 'interval_coverage', 'mean_pinball_loss', 'label_coverage', 'pending'],
  // @k: the monitor's largest k
  recommendation: ['requests', 'hit_rate@k', 'precision@k', 'recall@k', 'ndcg@k', 'coverage@k', 'personalization@k', 'label_coverage', 'pending'],
};

/**
 * The metrics `show` prints without --metrics: its type's, for the k the monitor has, and only those
 * its configuration writes (a column of a metric never written, top_2_accuracy of a monitor with
 * `top_k: [3]` or interval_coverage of a forecast without an interval, read as undefined everywhere).
 */
export function defaultMetrics(monitor: Monitor): string[] {
  const written = (metric: string) =>
    !(metric === 'log_loss' && monitor.type === 'multiclass_classification' && monitor.classes.length === 0) &&
    !(metric === 'top_k_accuracy' && monitor.topK.length === 0) &&
    !(metric === 'interval_coverage' && !monitor.forecast?.interval) &&
    !(metric === 'mean_pinball_loss' && !monitor.forecast?.quantiles.length);
  return SHOW_METRICS[monitor.type]
    .filter(written)
    .map((x) => x.replace(/^top_k_/, `top_${monitor.topK[0]}_`).replace(/@k$/, `@${monitor.recommendation?.k.at(-1)}`));
}

/** A run's as-of as show prints it: a date alone at midnight, else to the second. */
const formatAsOf = (asOf: Date) => asOf.toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z');

/** A value, with ± its error bound when it has one (approximate_ranking). */
export function withBound(value: unknown, bound: unknown): string {
  if (typeof value !== 'number' || typeof bound !== 'number') return formatNumber(value);
  return `${formatNumber(value)} ±${bound === 0 ? '0' : bound.toPrecision(2)}`;
}

/** The latest windows of one monitor, overall, one row per window and model version. */
export async function show(options: CommonOptions & { monitor: string; granularity?: string; windows?: number; metrics?: string[] }): Promise<number> {
  const { project, target } = loadProjectAndTarget(options.projectDir, options);
  const monitor = monitorNamed(project, options.monitor);
  const granularity = options.granularity ?? monitor.granularities[monitor.granularities.length - 1]!;
  if (!monitor.granularities.includes(granularity as never)) {
    throw new UsageError(`--granularity ${granularity}: monitor ${monitor.name} has ${monitor.granularities.join(', ')} windows`);
  }
  const metrics = options.metrics?.length ? options.metrics : defaultMetrics(monitor);
  const windows = options.windows ?? 8;
  if (!Number.isInteger(windows) || windows < 1) throw new UsageError(`--windows expects a whole number of 1 or more, got ${Number.isNaN(windows) ? 'a value that is not a number' : windows}`);
  return withConnection(target, async (a) => {
    const d = a.dialect;
    const metricsTable = projectTable(d, project.config.schema, 'hindsight_metrics');
    const ofMonitor = `monitor = ${d.string(monitor.name)} and granularity = ${d.string(granularity)}`;
    // nothing written yet is said as such, not as the warehouse's "table does not exist" or an empty table
    const notRun = `run it first: hindsight run -s ${monitor.name}${options.target ? ` -t ${options.target}` : ''}`;
    let stored: number;
    try {
      stored = Number((await a.query(`select count(*) as n from ${metricsTable} where ${ofMonitor}`))[0]?.n);
    } catch (e) {
      // (only a table that is not there; a permission or connection problem is the warehouse's to say)
      const said = e instanceof Error ? e.message : String(e);
      if (!/\b(table|relation|object|schema)\b[^\n]* does not exist|not found: (table|dataset)/i.test(said)) throw e;
      // (Snowflake says "does not exist or not authorized" of both: its words are kept, whole)
      throw new Error(`${project.config.schema}.hindsight_metrics does not exist on target ${target.name}: nothing has been run there yet; ${notRun} (the warehouse said: ${warehouseSaid(e, Infinity)})`);
    }
    if (stored === 0) {
      // (a run as of a time before the first prediction writes none: it ran, and "run it first" misled)
      const ran = await previousRun(a, projectTable(d, project.config.schema, 'hindsight_runs'), monitor);
      const why = ran ? `: its last run, as of ${formatAsOf(ran.asOf)}, found no prediction up to that time (or its rows were deleted since)` : `; ${notRun}`;
      throw new Error(`monitor ${monitor.name} has no ${granularity} rows in ${project.config.schema}.hindsight_metrics on target ${target.name}${why}`);
    }
    if (options.metrics?.length) {
      const written = (await a.query(`select distinct metric from ${metricsTable} where ${ofMonitor} and qualifier is null`)).map((r) => String(r.metric)).sort();
      const unknown = options.metrics.filter((x) => !written.includes(x));
      if (written.length && unknown.length) {
        throw unknownNames(unknown, written, (u, hint) => `--metrics: monitor ${monitor.name} has no metric "${u}"${hint}; metrics: ${written.join(', ')}`);
      }
    }
    // the latest windows with one of the metrics shown (a window with only data-quality rows is not one)
    const shown = metrics.map((x) => d.string(x)).join(', ');
    // A regression of several outputs: a row per output (its rows' qualifier), not their average,
    // which adds dollars to days; the data-quality rows, written once per window, beside each.
    const outputs = monitor.outputs.flatMap((o) => (o.name === null ? [] : [o.name]));
    const perOutput = outputs.length > 1;
    const rows = await a.query(`
select window_start, window_end, model_version, metric, value, qualifier
from ${metricsTable}
where ${ofMonitor} and segment is null and (qualifier is null${perOutput ? ` or qualifier in (${outputs.map((o) => d.string(o)).join(', ')})` : ''})
  and window_start in (
    select distinct window_start from ${metricsTable}
    where ${ofMonitor} and metric in (${shown}) and value is not null
    order by window_start desc limit ${windows}
  )
order by window_start, model_version`);
    // A window is final once each of its predictions has had its whole `within` by the last run's
    // as-of: it ends at or before the run's final_before (README, Output tables); a forecast's never
    // is: a late actual still counts. A record of an earlier version has no final_before: it is worked
    // out from this configuration's `within`, unknown (`?`) when the run's configuration was another.
    const last = await previousRun(a, projectTable(d, project.config.schema, 'hindsight_runs'), monitor);
    const finalBefore = last?.finalBefore ?? (last && sameConfiguration(last, monitor) ? closedBefore(monitor, last.asOf) : undefined);
    const known = finalBefore !== undefined;
    const final = (windowEnd: Date) =>
      monitor.forecast ? undefined : !known ? '?' : windowEnd.getTime() <= finalBefore.getTime() ? 'yes' : 'no';
    const byKey = new Map<string, Map<string, unknown>>();
    const keyOf = (r: (typeof rows)[number], output?: string) =>
      [(r.window_start as Date).toISOString().slice(0, 10), r.model_version ?? '—', output, final(r.window_end as Date)].filter((x) => x !== undefined).join('\t');
    const set = (key: string, metric: string, value: unknown) => {
      if (!byKey.has(key)) byKey.set(key, new Map());
      byKey.get(key)!.set(metric, value);
    };
    const ofOutputs = new Set(rows.filter((r) => r.qualifier !== null).map((r) => String(r.metric)));
    for (const r of rows) {
      if (!perOutput) set(keyOf(r), String(r.metric), r.value);
      else if (r.qualifier !== null) set(keyOf(r, String(r.qualifier)), String(r.metric), r.value);
      else if (!ofOutputs.has(String(r.metric))) for (const o of outputs) set(keyOf(r, o), String(r.metric), r.value);
    }
    const asOf = last ? `, as of ${formatAsOf(last.asOf)}` : '';
    const unknown = monitor.forecast || known ? '' : last ? '; its configuration was another: final is known after the next run' : '; no successful run is recorded: final is not known';
    process.stdout.write(`${monitor.name}: ${granularity} windows, overall${perOutput ? ', per output' : ''}, latest ${windows} (as written by the last run${asOf}${unknown})\n\n`);
    // A version group with none of the shown metrics (e.g. only orphan outcomes) is left out.
    // (by window and version, as the query gives them; each one's outputs in the file's order)
    const groups = [...new Set([...byKey.keys()].map((k) => k.split('\t').slice(0, 2).join('\t')))];
    const order = (k: string) => groups.indexOf(k.split('\t').slice(0, 2).join('\t')) * (outputs.length + 1) + (perOutput ? outputs.indexOf(k.split('\t')[2]!) : 0);
    const body = [...byKey.entries()]
      .filter(([, m]) => metrics.some((x) => m.get(x) !== undefined && m.get(x) !== null))
      .sort(([a], [b]) => order(a) - order(b))
      .map(([k, m]) => [...k.split('\t'), ...metrics.map((x) => withBound(m.get(x), m.get(`${x}_error_bound`)))]);
    const keys = ['window_start', 'version', ...(perOutput ? ['output'] : []), ...(monitor.forecast ? [] : ['final'])];
    process.stdout.write(table([...keys, ...metrics], body) + '\n');
    return 0;
  });
}

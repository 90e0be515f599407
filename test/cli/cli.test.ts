// The command line end to end on a copy of the shop example: build, show, an incremental rerun,
// deterministic compile, and the exit codes and messages of a failing run.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { run, signalHandler } from '../../src/cli/commands.js';
import { captureOutput } from '../stdout.js';
import { openAdapter, type Adapter } from '../../src/adapters/index.js';
import { projectName } from '../../src/cli/init.js';

const io = captureOutput();

function copyOfShop(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-cli-'));
  cpSync('examples/shop', dir, { recursive: true, filter: (src) => !src.includes(`${join('shop', 'target')}`) });
  return dir;
}

describe('hindsight CLI on the shop example', () => {
  // An in-memory DuckDB (`path: ':memory:'`, the default) is a database of its own per connection: build
  // loaded the seeds on one and ran on another, whose column check found none of their tables (exit 2).
  it('builds a project on an in-memory DuckDB: the run reads the tables its seeds loaded', async () => {
    const dir = copyOfShop();
    const profiles = join(dir, 'profiles.yml');
    writeFileSync(profiles, readFileSync(profiles, 'utf8').replace(/path: .*/, "path: ':memory:'"));
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-14', '--threads', '2'])).toBe(0);
    expect(io.out).toMatch(/keep_probability: OK, full refresh \(first run\), \d+ rows written/);
  });

  it('builds, shows, reruns incrementally and writes run results', async () => {
    const dir = copyOfShop();
    // before any run, show says so (not the warehouse's "table does not exist")
    expect(await main(['show', 'keep_probability', '--project-dir', dir])).toBe(1);
    expect(io.err).toMatch(/^hindsight\.hindsight_metrics does not exist on target dev: nothing has been run there yet; run it first: hindsight run -s keep_probability \(the warehouse said: Catalog Error: Table with name "hindsight\.hindsight_metrics" does not exist/);
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-14'])).toBe(0);
    expect(io.out).toMatch(/seed raw\.prediction_events \.+ 6044 rows/);
    expect(io.out).toMatch(/keep_probability: OK, full refresh \(first run\)/);
    expect(io.out).toMatch(/Finished: 1 succeeded, 0 failed/);

    io.out = '';
    expect(await main(['run', '--project-dir', dir, '--as-of', '2026-11-21', '-s', 'keep_probability'])).toBe(0);
    expect(io.out).toMatch(/keep_probability: OK, incremental from 2026-10-26T00:00:00.000Z/);
    const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
    expect(results.metadata.schema_version).toBe('hindsight/run-results/v1');
    expect(results.results[0]).toMatchObject({ unique_id: 'monitor.shop.keep_probability', status: 'success', mode: 'incremental' });
    expect(results.results[0].steps.map((s: { name: string }) => s.name)).toEqual([
      'prediction_events', 'outcome_events', 'outcome_matches', 'evaluations', 'data_quality', 'metrics', 'write',
    ]);
    expect(readdirSync(join(dir, 'target', 'run', 'keep_probability'))).toContain('write.sql');

    io.out = '';
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '--windows', '2'])).toBe(0);
    expect(io.out).toMatch(/as written by the last run, as of 2026-11-21\)/);
    expect(io.out).toMatch(/window_start\s+version\s+final\s+count\s+positive_rate/);
    // final: the week's end (11-16) plus within (14 days) is after the as-of (11-21)
    expect(io.out).toMatch(/2026-11-09\s+v2\s+no\s+168\s/);
    io.out = '';
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '--windows', '4'])).toBe(0);
    expect(io.out).toMatch(/2026-11-02\s+v2\s+no\s/); // (11-09 + 14 days)
    expect(io.out).toMatch(/2026-10-26\s+v2\s+yes\s/); // (11-02 + 14 days: final on 11-16)
    // what show cannot show is said, not printed as an empty table
    io.err = '';
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '--granularity', 'month'])).toBe(2);
    expect(io.err).toMatch(/--granularity month: monitor keep_probability has day, week windows/);
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '--metrics', 'roc_aucc'])).toBe(2);
    expect(io.err).toMatch(/--metrics: monitor keep_probability has no metric "roc_aucc" \(did you mean "roc_auc"\?\)/);
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '--metrics', 'auc'])).toBe(2);
    expect(io.err).toMatch(/no metric "auc" \(did you mean "roc_auc"\?\)/); // (a part of the name, not the nearer "mcc")
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '-s', 'keep_probability'])).toBe(2);
    expect(io.err).toMatch(/show takes one monitor, as its argument/);
    // seed --select picks seeds by table name, as dbt's does
    io.out = '';
    expect(await main(['seed', '--project-dir', dir, '-s', 'prediction_events'])).toBe(0);
    expect(io.out).toMatch(/Loading 1 seed file\(s\)[^]*raw\.prediction_events/);
    expect(await main(['seed', '--project-dir', dir, '-s', 'shipment_item'])).toBe(2);
    expect(io.err).toMatch(/--select: no seed named "shipment_item" \(did you mean "shipment_items"\?\)/);
    // final is the last run's (its final_before), not worked out from a `within` changed since
    const file = join(dir, 'monitors', 'keep_probability.yml');
    const yaml = readFileSync(file, 'utf8');
    writeFileSync(file, yaml.replace(/within: 14 days/, 'within: 3 days'));
    io.out = '';
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '--windows', '4'])).toBe(0);
    expect(io.out).not.toMatch(/configuration was another/);
    expect(io.out).toMatch(/2026-11-02\s+v2\s+no\s/);
    expect(io.out).toMatch(/2026-10-26\s+v2\s+yes\s/);
    // a record of an earlier version has none: from this configuration's `within`, unknown when it changed
    const db = await openAdapter({ type: 'duckdb', path: join(dir, 'target', 'shop.duckdb') });
    await db.execute('update hindsight.hindsight_runs set final_before = null');
    await db.close();
    io.out = '';
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '--windows', '4'])).toBe(0);
    expect(io.out).toMatch(/its configuration was another: final is known after the next run\)/);
    expect(io.out).toMatch(/2026-10-26\s+v2\s+\?\s/);
    writeFileSync(file, yaml);
    io.out = '';
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '--windows', '4'])).toBe(0);
    expect(io.out).toMatch(/2026-10-26\s+v2\s+yes\s/);
    // a monitor not run yet, beside one that was
    writeFileSync(join(dir, 'monitors', 'second.yml'), readFileSync(file, 'utf8').replace('name: keep_probability', 'name: second'));
    io.err = '';
    expect(await main(['show', 'second', '--project-dir', dir])).toBe(1);
    expect(io.err).toMatch(/^monitor second has no week rows in hindsight\.hindsight_metrics on target dev; run it first: hindsight run -s second\n/);
  });

  // A run as of a time before any prediction writes no rows: show said "run it first" of a monitor
  // that had just run.
  it('show says a monitor whose last run wrote no rows ran, and as of when', async () => {
    const dir = copyOfShop();
    expect(await main(['build', '--project-dir', dir, '--as-of', '2020-01-01'])).toBe(0);
    io.err = '';
    expect(await main(['show', 'keep_probability', '--project-dir', dir])).toBe(1);
    expect(io.err).toMatch(/^monitor keep_probability has no week rows in hindsight\.hindsight_metrics on target dev: its last run, as of 2020-01-01, found no prediction up to that time \(or its rows were deleted since\)/);
    expect(io.err).not.toMatch(/run it first/);
  });

  it("show passes on the warehouse's error when the metric table is there but cannot be read", async () => {
    const dir = copyOfShop();
    const db = await openAdapter({ type: 'duckdb', path: join(dir, 'target', 'shop.duckdb') });
    try {
      await db.execute('create schema hindsight');
      await db.execute('create table hindsight.hindsight_metrics (monitor varchar)'); // (not hindsight's)
    } finally {
      await db.close();
    }
    expect(await main(['show', 'keep_probability', '--project-dir', dir])).toBe(1);
    expect(io.err).toMatch(/granularity/);
    expect(io.err).not.toMatch(/nothing has been run/);
  });

  it('shows approximate ranking metrics with their error bounds', async () => {
    const dir = copyOfShop();
    const monitorFile = join(dir, 'monitors', 'keep_probability.yml');
    writeFileSync(monitorFile, readFileSync(monitorFile, 'utf8').replace('    threshold: 0.5\n', '    threshold: 0.5\n    approximate_ranking: {score_bins: 100}\n'));
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(0);
    io.out = '';
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '--windows', '2'])).toBe(0);
    // roc_auc and average_precision, each with ± its bound; log_loss, exact, without
    expect(io.out).toMatch(/2026-11-09\s+v2\s+no\s+168\s+\S+\s+\S+\s+0\.\d{4} ±0\.\d+\s+0\.\d{4} ±0\.\d+\s+0\.\d{4}\s/);
  });

  // The average of dollars and days means nothing: a regression of several outputs is shown per output,
  // each cell its output's row in the table (qualifier), the data-quality counts beside each.
  it('shows a regression of several outputs one row per output, from its rows in the metric table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-cli-'));
    cpSync('examples/resale', dir, { recursive: true, filter: (src) => !src.includes(`${join('resale', 'target')}`) });
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(0);
    io.out = '';
    expect(await main(['show', 'resale', '--project-dir', dir, '--windows', '2', '--metrics', 'count', 'mae', 'r2', 'pending'])).toBe(0);
    const lines = io.out.trim().split('\n');
    expect(lines[0]).toMatch(/^resale: week windows, overall, per output, latest 2/);
    expect(lines[2]!.split(/\s+/)).toEqual(['window_start', 'version', 'output', 'final', 'count', 'mae', 'r2', 'pending']);
    const shown = lines.slice(4).map((l) => l.trim().split(/\s+/));
    const adapter = await openAdapter({ type: 'duckdb', path: join(dir, 'target', 'resale.duckdb') });
    try {
      const stored = await adapter.query(`
        select strftime(window_start, '%Y-%m-%d') as w, model_version as v, coalesce(qualifier, '') as q, metric, value from hindsight.hindsight_metrics
        where monitor = 'resale' and granularity = 'week' and segment is null and metric in ('count', 'mae', 'r2', 'pending')
          and window_start >= (select max(window_start) - interval 7 day from hindsight.hindsight_metrics where monitor = 'resale' and granularity = 'week' and metric = 'mae')`);
      const cell = (w: string, v: string, q: string, metric: string) => {
        const r = stored.find((x) => x.w === w && x.v === v && x.q === q && x.metric === metric);
        const value = r?.value as number | null | undefined;
        return value === null || value === undefined ? '—' : Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 1 : 4);
      };
      const expected = [...new Set(stored.map((r) => `${r.w}\t${r.v}`))].sort().flatMap((wv) => {
        const [w, v] = wv.split('\t') as [string, string];
        return ['price', 'days_to_resale'].map((o) => [w, v, o, 'no', cell(w, v, o, 'count'), cell(w, v, o, 'mae'), cell(w, v, o, 'r2'), cell(w, v, '', 'pending')]);
      });
      expect(shown).toEqual(expected);
      expect(shown.length).toBeGreaterThanOrEqual(2);
      // (the average row is not what is shown)
      expect(shown[0]![5]).not.toBe(cell(shown[0]![0]!, shown[0]![1]!, '', 'mae'));
    } finally {
      await adapter.close();
    }
  });

  // Without --metrics, show's columns are metrics the monitor writes: the top-k accuracy of its own
  // smallest k, and no interval or pinball column for a forecast that has neither (a column of a
  // metric never written is all dashes, which reads as "undefined in every window").
  it('shows by default the metrics the configuration writes: its top-k, a forecast without an interval', async () => {
    const copy = (example: string, edit: (yml: string) => string) => {
      const dir = mkdtempSync(join(tmpdir(), 'hindsight-cli-'));
      cpSync(join('examples', example), dir, { recursive: true, filter: (src) => !src.includes(join(example, 'target')) });
      const file = join(dir, 'monitors', readdirSync(join(dir, 'monitors'))[0]!);
      writeFileSync(file, edit(readFileSync(file, 'utf8')));
      return dir;
    };
    const styles = copy('styles', (yml) => yml.replace('top_k: [2, 3]', 'top_k: [3]'));
    expect(await main(['build', '--project-dir', styles, '--as-of', '2026-11-21'])).toBe(0);
    io.out = '';
    expect(await main(['show', 'favorite_category', '--project-dir', styles, '--windows', '2'])).toBe(0);
    const header = io.out.trim().split('\n')[2]!.split(/\s+/);
    expect(header).toContain('top_3_accuracy');
    expect(header).not.toContain('top_2_accuracy');
    // (the first row's cell in that column is its window's value in the table)
    const row = io.out.trim().split('\n')[4]!.trim().split(/\s+/);
    const adapter = await openAdapter({ type: 'duckdb', path: join(styles, 'target', 'styles.duckdb') });
    try {
      const [stored] = await adapter.query(`select value from hindsight.hindsight_metrics where metric = 'top_3_accuracy' and segment is null
        and granularity = 'week' and window_start = timestamp '${row[0]}' and model_version = '${row[1]}'`);
      expect(row[header.indexOf('top_3_accuracy')]).toBe((stored!.value as number).toFixed(4));
    } finally {
      await adapter.close();
    }
    const demand = copy('demand', (yml) => yml.replace(/^ *(interval|quantiles): .*\n/gm, ''));
    expect(await main(['build', '--project-dir', demand, '--as-of', '2026-11-21'])).toBe(0);
    io.out = '';
    expect(await main(['show', 'weekly_demand', '--project-dir', demand, '--windows', '2'])).toBe(0);
    expect(io.out.trim().split('\n')[2]!.split(/\s+/)).toEqual(['window_start', 'version', 'count', 'bias', 'mae', 'wape', 'mase', 'label_coverage', 'pending']);
  });

  // coreutils' `timeout`, which bounds cron jobs, sends its signal to the process and then to its
  // process group: the second quit the run at once, with no run_results.json and staged tables left.
  it('takes a second Ctrl-C within a second of the first for the same one; a later one quits', () => {
    const interrupted = new AbortController();
    const quits: number[] = [];
    let t = 5_000;
    const onSignal = signalHandler(interrupted, (code) => quits.push(code), () => t);
    onSignal('SIGINT');
    expect([interrupted.signal.aborted, quits]).toEqual([true, []]);
    t += 20;
    onSignal('SIGINT');
    t += 900;
    onSignal('SIGTERM');
    expect(quits).toEqual([]);
    t += 100;
    onSignal('SIGINT');
    expect(quits).toEqual([130]);
  });

  // The process end to end (the other interrupt tests call runMonitors): the metric table as it was.
  it('stops a run on Ctrl-C, rolling back, and writes its results', async () => {
    const dir = copyOfShop();
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-14'])).toBe(0);
    // outcomes read slowly (a long range counted), so that the signals find the run in that step
    const monitorFile = join(dir, 'monitors', 'keep_probability.yml');
    writeFileSync(monitorFile, readFileSync(monitorFile, 'utf8').replace(`where status <> 'lost'`, `where status <> 'lost' and (select count(*) from range(4000000000)) > 0`));
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import('./src/cli/main.ts').then((m) => m.main(['run', '--project-dir', ${JSON.stringify(dir)}, '--as-of', '2026-11-21'])).then((code) => process.exit(code))`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (/keep_probability prediction_events/.test(out) && !child.killed) {
        // (and again as `timeout` does; DuckDB's rollback is often done before it arrives)
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGINT'), 15);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    // (it ran on after the second signal: the run was stopped by the first, not killed)
    expect(out).toMatch(/keep_probability: ERROR/);
    expect([code, out]).toEqual([130, expect.stringMatching(/SIGINT: stopping/)]);
    const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
    expect(results.results[0]).toMatchObject({ unique_id: 'monitor.shop.keep_probability', status: 'error' });
    const adapter = await openAdapter({ type: 'duckdb', path: join(dir, 'target', 'shop.duckdb') });
    try {
      expect(await adapter.query(`select max(as_of) as as_of from hindsight.hindsight_runs where status = 'success'`)).toEqual([{ as_of: new Date('2026-11-14T00:00:00Z') }]);
      expect(await adapter.query(`select count(*)::int as n from hindsight.hindsight_metrics where run_id in (select run_id from hindsight.hindsight_runs where as_of > '2026-11-14')`)).toEqual([{ n: 0 }]);
    } finally {
      await adapter.close();
    }
  }, 60_000);

  it('compiles byte-identical SQL twice', async () => {
    const dir = copyOfShop();
    expect(await main(['compile', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(0);
    const read = () => readdirSync(join(dir, 'target/compiled/keep_probability')).sort().map((f) => readFileSync(join(dir, 'target/compiled/keep_probability', f), 'utf8'));
    const first = read();
    // a file that already holds its SQL is not rewritten: its modification time stays
    const metrics = join(dir, 'target/compiled/keep_probability/metrics.sql');
    const longAgo = new Date('2001-01-01T00:00:00Z');
    utimesSync(metrics, longAgo, longAgo);
    expect(await main(['compile', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(0);
    expect(read()).toEqual(first);
    expect(statSync(metrics).mtime).toEqual(longAgo);
    expect(first.join('\n')).not.toMatch(/select \*\s+from "raw"/); // sources are read by column
  });

  it("rewrites a monitor's compiled directory with only its current steps, and reports a failed write", async () => {
    const dir = copyOfShop();
    const compiled = join(dir, 'target/compiled/keep_probability');
    mkdirSync(compiled, { recursive: true });
    writeFileSync(join(compiled, 'old_step.sql'), 'select 1;\n');
    writeFileSync(join(compiled, 'metrics.sql'), 'stale\n');
    expect(await main(['compile', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(0);
    const files = readdirSync(compiled).sort();
    expect(files).toEqual(['data_quality', 'evaluations', 'metrics', 'outcome_events', 'outcome_matches', 'prediction_events', 'write'].map((s) => `${s}.sql`));
    expect(readFileSync(join(compiled, 'metrics.sql'), 'utf8')).toMatch(/^-- Binary-classification metrics of monitor keep_probability/);
    // a file where a monitor's directory goes: the write fails, and compile says where
    rmSync(compiled, { recursive: true, force: true });
    writeFileSync(compiled, '');
    expect(await main(['compile', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(1);
    expect(io.err).toMatch(/cannot write the compiled SQL of monitor keep_probability to .*target\/compiled\/keep_probability: ENOTDIR/);
  });

  it('exits 1 and names the monitor, step and compiled file when the warehouse rejects a step', async () => {
    const dir = copyOfShop();
    const monitorFile = join(dir, 'monitors', 'keep_probability.yml');
    // (a condition the column check accepts, on no rows, and the warehouse rejects on the first row)
    writeFileSync(monitorFile, readFileSync(monitorFile, 'utf8').replace(`where: "environment = 'production'"`, `where: "cast(environment as integer) = 1"`));
    expect(await main(['build', '--project-dir', dir])).toBe(1);
    expect(io.out).toMatch(/keep_probability: ERROR/);
    const [, file, line, column] = /monitor keep_probability, step prediction_events failed \(SQL in (.*target\/run\/keep_probability\/prediction_events\.sql):(\d+):(\d+)\)/.exec(io.out) ?? [];
    // (the file's line and column of the cast DuckDB could not make)
    expect(readFileSync(file!, 'utf8').split('\n')[Number(line) - 1]!.slice(Number(column) - 1)).toMatch(/^(cast\()?environment as integer/);
    expect(io.out).toMatch(/production/);
    // a failed run wrote no window: none is final by it
    const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
    expect(results.results[0]).toMatchObject({ status: 'error', final_before: null, as_of: expect.any(String) });
  });

  // A run that fails before its monitors (here setup, refused) left no run_results.json at all, the
  // previous one removed: a scheduler reading it found nothing.
  it('lists every monitor as not run in run_results.json when the run fails before them', async () => {
    const dir = copyOfShop();
    const adapter = await openAdapter({ type: 'duckdb', path: join(dir, 'target', 'shop.duckdb') });
    const refusing: Adapter = {
      type: adapter.type, dialect: adapter.dialect, query: (q) => adapter.query(q), columns: (q) => adapter.columns(q), close: () => adapter.close(),
      execute: (q) => (/^create schema/.test(q) ? Promise.reject(new Error('permission denied for database (test)')) : adapter.execute(q)),
    };
    try {
      await expect(run({ projectDir: dir, asOf: '2026-11-21' }, refusing)).rejects.toThrow(/permission denied for database \(test\)/);
    } finally {
      await adapter.close();
    }
    const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
    expect(results.results).toEqual([expect.objectContaining({ unique_id: 'monitor.shop.keep_probability', status: 'skipped', run_id: '', message: 'not run: permission denied for database (test)' })]);
  });

  it('runs monitors side by side with --threads, reporting them in their order', async () => {
    const dir = copyOfShop();
    const monitorFile = join(dir, 'monitors', 'keep_probability.yml');
    writeFileSync(join(dir, 'monitors', 'also_kept.yml'), readFileSync(monitorFile, 'utf8').replace('name: keep_probability', 'name: also_kept'));
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-14', '--threads', '2'])).toBe(0);
    expect(io.out).toMatch(/Running 2 monitor\(s\) on target dev \(duckdb\), as of 2026-11-14T00:00:00.000Z, 2 at a time/);
    expect(io.out).toMatch(/also_kept: OK, full refresh \(first run\), \d+ rows written[^]*keep_probability: OK, full refresh \(first run\)/);
    const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
    expect(results.threads).toBe(2);
    expect(results.results.map((r: { unique_id: string; rows_written: number }) => r.unique_id)).toEqual(['monitor.shop.also_kept', 'monitor.shop.keep_probability']);
    expect(results.results[0].rows_written).toBe(results.results[1].rows_written);

    io.out = '';
    expect(await main(['run', '--project-dir', dir, '--threads', '0'])).toBe(2);
    expect(io.err).toMatch(/--threads expects a whole number of 1 or more, got 0/);
    // and the previous run's results are gone: an orchestrator must not read their "success"
    expect(existsSync(join(dir, 'target', 'run_results.json'))).toBe(false);
    // unless hindsight.yml cannot be read, which leaves target/ alone (dbt writes there too)
    writeFileSync(join(dir, 'target', 'run_results.json'), '{}\n');
    writeFileSync(join(dir, 'hindsight.yml'), `${readFileSync(join(dir, 'hindsight.yml'), 'utf8')}\nbroken: "unclosed\n`);
    expect(await main(['run', '--project-dir', dir])).toBe(2);
    expect(existsSync(join(dir, 'target', 'run_results.json'))).toBe(true);
  });

  it('exits 2 when a configured column is not in its source, saying which columns exist', async () => {
    const dir = copyOfShop();
    const monitorFile = join(dir, 'monitors', 'keep_probability.yml');
    writeFileSync(join(dir, 'monitors', 'also_kept.yml'), readFileSync(monitorFile, 'utf8').replace('name: keep_probability', 'name: also_kept'));
    writeFileSync(monitorFile, readFileSync(monitorFile, 'utf8').replace('score: keep_probability', 'score: keep_probabilty'));
    // an earlier run's results: an orchestrator must not read its "success" after this one
    mkdirSync(join(dir, 'target'), { recursive: true });
    writeFileSync(join(dir, 'target', 'run_results.json'), '{"results": [{"status": "success"}]}\n');
    expect(await main(['build', '--project-dir', dir])).toBe(2);
    // it reads this one's: the refused monitor failed, and the other one did not run
    const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')).results;
    expect(results.map((r: { unique_id: string; status: string; message: string }) => [r.unique_id, r.status, r.message])).toEqual([
      ['monitor.shop.also_kept', 'skipped', 'not run: the configured columns of 1 other monitor(s) are not in their sources'],
      ['monitor.shop.keep_probability', 'error', expect.stringMatching(/keep_probability\.yml:\d+:\d+: monitors\[0\]\.predictions\.score: column "keep_probabilty" is not in/)],
    ]);
    expect(io.err).toMatch(/monitors\/keep_probability\.yml:\d+:\d+: monitors\[0\]\.predictions\.score: column "keep_probabilty" is not in raw\.prediction_events; it has: .*keep_probability.* \(did you mean "keep_probability"\?\)/);
  });

  // A UUID key matched to a text one passed the column check, then failed in outcome_matches
  // (Postgres: "operator does not exist: uuid = text"; DuckDB: a text that is no UUID "to INT128").
  it('exits 2 when a UUID key is matched to a text one, before anything runs', async () => {
    const dir = copyOfShop();
    const monitorFile = join(dir, 'monitors', 'keep_probability.yml');
    writeFileSync(monitorFile, readFileSync(monitorFile, 'utf8')
      .replace('relation: raw.prediction_events', 'sql: select * replace (cast(md5(cast(prediction_id as varchar)) as uuid) as prediction_id) from raw.prediction_events')
      .replace('select shipment_item_id as prediction_id,', "select 'item-' || shipment_item_id as prediction_id,"));
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-14'])).toBe(2);
    expect(io.err).toMatch(/monitors\/keep_probability\.yml:\d+:\d+: monitors\[0\]\.outcomes\.key: column "prediction_id" of the outcomes sql is VARCHAR \(text\), and the predictions\.key column it is matched to, "prediction_id" of the predictions sql, is UUID \(uuid\): keys are compared as they are/);
  });

  // Items are compared as text, and a decimal's text keeps its scale: item 42 of a DECIMAL(6,1)
  // column is '42.0', which no list's item 42 equals (every interaction a miss).
  it('exits 2 when a recommendation item is a decimal with a scale, before anything runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-cli-'));
    cpSync('examples/carousel', dir, { recursive: true, filter: (src) => !src.includes(join('carousel', 'target')) });
    const monitorFile = join(dir, 'monitors', 'also_kept.yml');
    writeFileSync(monitorFile, readFileSync(monitorFile, 'utf8').replace('select customer_id, event_at, item_id,', 'select customer_id, event_at, cast(substr(item_id, 4) as decimal(6, 1)) as item_id,'));
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(2);
    expect(io.err).toMatch(/monitors\/also_kept\.yml:\d+:\d+: monitors\[0\]\.outcomes\.item: column "item_id" of the outcomes sql is DECIMAL\(6,1\), a decimal: items are compared as text, where 1\.0 is not 1; cast it to an integer or text in a `sql:` source/);
  });

  // A time (or UUID) named as a number passed the column check, then failed in the first step, exit 1
  // (DuckDB: "Conversion Error: Unimplemented type for cast (TIMESTAMP -> DOUBLE)").
  it('exits 2 when a score, prediction or label column is a time, before anything runs', async () => {
    const dir = copyOfShop();
    const monitorFile = join(dir, 'monitors', 'keep_probability.yml');
    writeFileSync(monitorFile, readFileSync(monitorFile, 'utf8').replace('score: keep_probability', 'score: predicted_at'));
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(2);
    expect(io.err).toMatch(/monitors\/keep_probability\.yml:10:14: monitors\[0\]\.predictions\.score: column "predicted_at" of raw\.prediction_events is TIMESTAMP, a timestamp or a date, not a number; name a numeric column, or compute one in a `sql:` source\n1 configuration error\(s\)\.\n$/);
    const resale = mkdtempSync(join(tmpdir(), 'hindsight-cli-'));
    cpSync('examples/resale', resale, { recursive: true, filter: (src) => !src.includes(join('resale', 'target')) });
    const resaleFile = join(resale, 'monitors', 'resale.yml');
    writeFileSync(resaleFile, readFileSync(resaleFile, 'utf8').replace('label: days_listed', 'label: recorded_at'));
    io.err = '';
    expect(await main(['build', '--project-dir', resale, '--as-of', '2026-11-21'])).toBe(2);
    expect(io.err).toMatch(/monitors\/resale\.yml:\d+:\d+: monitors\[0\]\.outputs\.days_to_resale\.label: column "recorded_at" of the outcomes sql is TIMESTAMP, a timestamp or a date, not a number/);
  });

  // A timestamp label and a boolean time passed the column check, then failed in a step, exit 1
  // ("Unimplemented type for cast (TIMESTAMP -> INTEGER)", "Cannot compare values of type BOOLEAN and
  // type TIMESTAMP"); a text label that is also the key was reported at outcomes.key.
  it.each([
    // (the advice is not a text label's, `cast(checked_in_at as integer)`, which fails as the step did,
    // nor a conversion of a boolean to a timestamp: another column was meant)
    ['label: kept', 'label: checked_in_at', /monitors\[0\]\.outcomes\.label: column "checked_in_at" of the outcomes sql is TIMESTAMP, a timestamp or a date, not 1\/0 or a boolean; name the column that holds the 1\/0 or true\/false label, or compute one in a `sql:` source \(`case when checked_in_at is not null then 1 else 0 end`, where a time set means a positive\)\n/],
    ['timestamp: checked_in_at', 'timestamp: kept', /monitors\[0\]\.outcomes\.timestamp: column "kept" of the outcomes sql is BOOLEAN, a boolean, not a timestamp or a date; name the column that holds its time \(a timestamp or a date\)\n/],
    ['label: kept', 'label: prediction_id', /keep_probability\.yml:20:14: monitors\[0\]\.outcomes\.label: column "prediction_id" of the outcomes sql is VARCHAR, text, not 1\/0/],
  ])('exits 2 when %s is %s, at that key, before anything runs', async (from, to, message) => {
    const dir = copyOfShop();
    const monitorFile = join(dir, 'monitors', 'keep_probability.yml');
    writeFileSync(monitorFile, readFileSync(monitorFile, 'utf8').replace(from, to));
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(2);
    expect(io.err).toMatch(message);
    expect(io.err).toMatch(/\n1 configuration error\(s\)\.\n$/);
  });

  it('scaffolds a project with init that validates, named after its directory', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hindsight-init-')), 'Churn-Models');
    expect(await main(['init', dir])).toBe(0);
    expect(await main(['validate', '--project-dir', dir])).toBe(0);
    expect(io.out).toMatch(/OK: 1 monitor\(s\) in churn_models/);
    expect(readFileSync(join(dir, 'profiles.yml'), 'utf8')).toMatch(/^churn_models:$/m);
    // each file's $schema is this installation's schema/, relative to the file
    for (const [file, schema] of [['hindsight.yml', 'hindsight'], ['profiles.yml', 'profiles'], ['monitors/example.yml', 'monitors']] as const) {
      const path = /\$schema=(\S+)/.exec(readFileSync(join(dir, file), 'utf8'))![1]!;
      expect(path.endsWith(`/${schema}.schema.json`)).toBe(true);
      expect(existsSync(resolve(dirname(join(dir, file)), path))).toBe(true);
    }
    // names made of other letters than a-z keep the letters, not the accents
    expect(['Prüfung-Ümlaut', '2026 models', '日本'].map((d) => projectName(join(tmpdir(), d)))).toEqual(['prufung_umlaut', 'project_2026_models', 'my_project']);
  });

  it('says when a seed-paths directory does not exist, and still runs a project without one', async () => {
    const dir = copyOfShop();
    const config = readFileSync(join(dir, 'hindsight.yml'), 'utf8');
    // as earlier `hindsight init` projects have it: seeds/ named, and absent
    writeFileSync(join(dir, 'hindsight.yml'), `${config.trimEnd()}\nseed-paths: [seeds, seedz]\n`);
    rmSync(join(dir, 'seeds'), { recursive: true, force: true });
    expect(await main(['validate', '--project-dir', dir])).toBe(0);
    expect(await main(['seed', '--project-dir', dir])).toBe(0);
    expect(io.out).not.toMatch(/directory "seeds"/); // the default: a project need not have seeds
    expect(io.out).toMatch(/Note: seed-paths: directory "seedz" does not exist in the project directory/);
    expect(io.out).toMatch(/Loading 0 seed file\(s\)/);
  });

  it('init never overwrites a file: it writes nothing where one of its files exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-init-'));
    writeFileSync(join(dir, 'profiles.yml'), 'mine: {}\n');
    expect(await main(['init', dir])).toBe(2);
    expect(io.err).toMatch(/hindsight init would overwrite .*profiles\.yml; nothing was written/);
    expect(readFileSync(join(dir, 'profiles.yml'), 'utf8')).toBe('mine: {}\n');
    expect(readdirSync(dir)).toEqual(['profiles.yml']);
    // a file where a directory of the template goes: nothing written either
    const other = mkdtempSync(join(tmpdir(), 'hindsight-init-'));
    writeFileSync(join(other, 'monitors'), '');
    expect(await main(['init', other])).toBe(2);
    expect(readdirSync(other)).toEqual(['monitors']);
  });

  it('rejects bad arguments with exit code 2 before doing anything', async () => {
    const dir = copyOfShop();
    for (const asOf of ['2026-02-30', '2026', 'yesterday', '2026-11-21T25:00']) {
      io.err = '';
      expect(await main(['compile', '--project-dir', dir, '--as-of', asOf])).toBe(2);
      expect(io.err).toContain(`--as-of "${asOf}" is not a date or date-time`);
    }
    // build checks --select and --as-of before it loads any seed
    io.out = '';
    expect(await main(['build', '--project-dir', dir, '-s', 'keep_probabilty'])).toBe(2);
    expect(io.err).toMatch(/--select: no monitor named "keep_probabilty" \(did you mean "keep_probability"\?\); monitors: keep_probability/);
    expect(await main(['build', '--project-dir', dir, '--as-of', '2026-13-01'])).toBe(2);
    expect(io.out).not.toMatch(/Loading/);
    io.err = '';
    expect(await main(['show', 'keep_probability', '--project-dir', dir, '--windows', '0'])).toBe(2);
    expect(io.err).toMatch(/--windows expects a whole number of 1 or more, got 0/);
    // DuckDB cannot price a query without running it
    io.out = '';
    io.err = '';
    expect(await main(['run', '--project-dir', dir, '--dry-run'])).toBe(2);
    expect(io.err).toMatch(/--dry-run needs a warehouse that can estimate a query without running it \(BigQuery\); this target is duckdb/);
    expect(io.out).toBe('');
    // --profiles-dir names the one place to look: never another profiles.yml
    io.err = '';
    expect(await main(['validate', '--project-dir', dir, '--profiles-dir', join(dir, 'nowhere')])).toBe(2);
    expect(io.err).toMatch(/profiles\.yml.*not found in .*nowhere; create one/);
  });

  it('reads monitor files once, skipping hidden and unreadable entries, and writes to an absolute target-path', async () => {
    const dir = copyOfShop();
    symlinkSync('user@host.1:1', join(dir, 'monitors', '.#keep_probability.yml')); // an Emacs lock file
    writeFileSync(join(dir, 'monitors', '._keep_probability.yml'), '\0\0'); // macOS metadata
    symlinkSync('nowhere.yml', join(dir, 'monitors', 'dangling.yml'));
    const target = mkdtempSync(join(tmpdir(), 'hindsight-target-'));
    const config = readFileSync(join(dir, 'hindsight.yml'), 'utf8');
    writeFileSync(join(dir, 'hindsight.yml'), `${config.replace('monitor-paths: [monitors]', 'monitor-paths: [monitors, monitors/]').trimEnd()}\ntarget-path: ${target}\n`);
    expect(await main(['validate', '--project-dir', dir])).toBe(0);
    expect(io.out).toMatch(/OK: 1 monitor\(s\)/);
    expect(await main(['compile', '--project-dir', dir, '--as-of', '2026-11-21'])).toBe(0);
    expect(readdirSync(join(target, 'compiled', 'keep_probability'))).toContain('metrics.sql');
    expect(existsSync(join(dir, target))).toBe(false);
  });
});

// Renders benchmark result files (bench/results/*.json) as the tables of docs/performance.md.
//
//   npx tsx bench/report.ts bench/results/<date>.json [more.json ...] > table.md
//   npx tsx bench/report.ts <files> --write docs/performance.md [--marker bench]
// The tables go between the `<!-- <marker>:begin -->` and `<!-- <marker>:end -->` markers of the report
// file, so the prose around them stays as written.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The other problem types' monitors, each with a lower bound and a full refresh (bench/run.ts). */
const OTHER_TYPES = ['regression', 'multiclass', 'forecast', 'recommendation'];
const STEPS = ['lower_bound', 'sliced_floor', 'full_refresh', 'approximate', 'incremental', 'extract_and_compute', ...OTHER_TYPES.flatMap((t) => [`${t}_lower_bound`, `${t}_full_refresh`])];
// the steps of every problem type's pipeline, in run order (mase_scales: forecasts only; list_items: recommendations only)
const PIPELINE = ['plan', 'prediction_events', 'outcome_events', 'outcome_matches', 'list_items', 'evaluations', 'mase_scales', 'data_quality', 'forecast_rows', 'metrics', 'write'];
const fmtS = (s: number | null | undefined) => (s === null || s === undefined ? '—' : s < 10 ? s.toFixed(2) : s.toFixed(1));
const fmtRate = (r: number | null | undefined) =>
  r === null || r === undefined ? '—' : r >= 1e6 ? `${(r / 1e6).toFixed(2)} M` : `${Math.round(r / 1e3)} k`;
const fmtMb = (b: number | null | undefined) => (b ? `${Math.round(b / 2 ** 20)}` : '—');
const fmtX = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x.toFixed(2)}×`);
const fmtPct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(0)}%`);
const fmtRows = (n: number) => (n >= 1e6 ? `${n / 1e6} M` : `${n / 1e3} k`);
const fmtCount = (n: number | undefined) => (n === undefined ? '—' : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n));

/** Rows scanned from the source tables vs. from hindsight's own session tables, per step. */
function scanSummary(scanned: Json | undefined): string {
  if (!scanned) return '—';
  const sums = { source: 0, session: 0, evaluations: 0, own: 0 };
  for (const rels of Object.values(scanned) as Json[]) {
    for (const [rel, n] of Object.entries(rels)) {
      if (/hs_/.test(rel)) sums.session += n as number;
      else if (/__evaluations/.test(rel)) sums.evaluations += n as number;
      else if (/hindsight_(metrics|runs)/.test(rel)) sums.own += n as number;
      else sums.source += n as number;
    }
  }
  const parts = [`${fmtCount(sums.source)} source`];
  if (sums.evaluations) parts.push(`${fmtCount(sums.evaluations)} previous evaluations`);
  if (sums.session) parts.push(`${fmtCount(sums.session)} session tables`);
  if (sums.own) parts.push(`${fmtCount(sums.own)} metric/run tables`);
  return parts.join(' + ');
}

export function renderTables(files: string[]): string {
  const docs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Json);
  const lines: string[] = [];
  for (const [i, doc] of docs.entries()) {
    const m = doc.machine;
    lines.push(`Results: \`${files[i]!.replace(/^.*\/bench\//, 'bench/')}\` — \`${doc.command}\``);
    if (doc.note) lines.push('', String(doc.note));
    lines.push('');
    lines.push(
      `Machine: ${m.nproc} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}, @duckdb/node-api ${m.duckdbNodeApi}` +
        `${m.postgres ? `, PostgreSQL ${m.postgres}` : ''}; hindsight at ${m.git}${m.gitDirty ? ' (+ uncommitted changes in src/models/macros)' : ''}; ` +
        `load average at start ${m.loadAverageAtStart.map((x: number) => x.toFixed(1)).join(' ')}. Best of ${doc.settings.repeat} timed passes per step${doc.settings.repeatFrom1e7 !== undefined && doc.settings.repeatFrom1e7 !== doc.settings.repeat ? ` (${doc.settings.repeatFrom1e7} from 10M on)` : ''}.`,
    );
    lines.push('');
    lines.push('| warehouse | predictions | step | wall s | CPU s | predictions/s (wall) | ratio, wall (CPU) | peak RSS MB (JS heap MB) | rows scanned (EXPLAIN ANALYZE) |');
    lines.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of doc.results as Json[]) {
      if (r.error) {
        lines.push(`| ${r.warehouse} | ${fmtRows(r.rows)} | — | failed: ${String(r.error).split('\n')[0]} | | | | | |`);
        continue;
      }
      for (const step of STEPS) {
        const s = r.steps[step] as Json | undefined;
        if (!s) continue;
        const c = r.cpuRatios ?? {};
        const ratio =
          step === 'sliced_floor' ? `${fmtX(r.ratios.sliced_floor_over_lower_bound)} (${fmtX(c.sliced_floor_over_lower_bound)}) of LB`
          : step === 'full_refresh' ? `${fmtX(r.ratios.full_refresh_over_lower_bound)} (${fmtX(c.full_refresh_over_lower_bound)}) of LB${r.ratios.full_refresh_over_sliced_floor ? `, ${fmtX(r.ratios.full_refresh_over_sliced_floor)} (${fmtX(c.full_refresh_over_sliced_floor)}) of SF` : ''}`
          : step === 'incremental' ? `${fmtPct(r.ratios.incremental_over_full_refresh)} (${fmtPct(c.incremental_over_full_refresh)}) of FR`
          : step === 'extract_and_compute' ? `${fmtX(r.ratios.extract_over_full_refresh)} (${fmtX(c.extract_over_full_refresh)}) of FR`
          : OTHER_TYPES.some((t) => step === `${t}_full_refresh`) ? `${fmtX(r.ratios[`${step}_over_lower_bound`])} (${fmtX(c[`${step}_over_lower_bound`])}) of its LB`
          : step === 'approximate' ? `${fmtX(r.ratios.approximate_over_lower_bound)} (${fmtX(c.approximate_over_lower_bound)}) of LB, ${fmtX(r.ratios.approximate_over_full_refresh)} (${fmtX(c.approximate_over_full_refresh)}) of FR`
          : '';
        const seconds = s.ok ? fmtS(s.seconds) : `failed`;
        lines.push(
          `| ${r.warehouse} | ${fmtRows(r.rows)} | ${step} | ${seconds} | ${fmtS(s.cpuSeconds)} | ${fmtRate(s.rowsPerSecond)} | ${ratio} | ${fmtMb(s.maxRssBytes)} (${fmtMb(s.peakHeapUsedBytes)}) | ${scanSummary(s.scanned)} |`,
        );
      }
    }
    const accuracy = (doc.results as Json[]).filter((r) => Array.isArray(r.steps?.approximate?.accuracy) && r.steps.approximate.accuracy.length > 0);
    if (accuracy.length) {
      lines.push('');
      lines.push(`\`approximate\`: the same full refresh with \`approximate_ranking: {score_bins: ${doc.settings.scoreBins}}\`. Its ranking metrics against the exact ones, over every window, version and slice:`);
      lines.push('');
      lines.push('| warehouse | predictions | metric | values | max error | mean error | max bound | mean bound | errors beyond their bound |');
      lines.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
      const e = (x: number) => Number(x).toExponential(1);
      for (const r of accuracy) {
        for (const a of r.steps.approximate.accuracy as Json[]) {
          lines.push(`| ${r.warehouse} | ${fmtRows(r.rows)} | ${a.metric} | ${a.values_compared} | ${e(a.max_error)} | ${e(a.mean_error)} | ${e(a.max_bound)} | ${e(a.mean_bound)} | ${a.beyond_bound} |`);
        }
      }
    }
    lines.push('');
    lines.push('Where the time goes (hindsight steps, wall seconds of the fastest pass) and what each step scanned:');
    lines.push('');
    lines.push('| warehouse | predictions | run | ' + PIPELINE.join(' | ') + ' |');
    lines.push('| --- | ---: | --- | ' + PIPELINE.map(() => '---:').join(' | ') + ' |');
    for (const r of doc.results as Json[]) {
      if (r.error) continue;
      for (const step of ['full_refresh', 'approximate', 'incremental', ...OTHER_TYPES.map((t) => `${t}_full_refresh`)]) {
        const s = r.steps[step] as Json | undefined;
        if (!s?.steps) continue;
        const by = new Map((s.steps as Json[]).map((x) => [x.name, x]));
        const scans = (name: string) => {
          const rel = (s.scanned ?? {})[name] as Json | undefined;
          if (!rel) return '';
          const total = Object.values(rel).reduce((a: number, b) => a + (b as number), 0);
          return ` <sub>${fmtCount(total)}</sub>`;
        };
        lines.push(`| ${r.warehouse} | ${fmtRows(r.rows)} | ${step} | ` + PIPELINE.map((p) => (by.has(p) ? `${fmtS(by.get(p)!.seconds)}${scans(p)}` : scans(p) ? `—${scans(p)}` : '—')).join(' | ') + ' |');
      }
    }
    lines.push('');
    lines.push('<sub>small numbers: rows scanned by the step (source tables, previous evaluations and session tables together), from EXPLAIN ANALYZE.</sub>');
    lines.push('');
    if (doc.compile) {
      const c = doc.compile;
      lines.push(
        `Compile, ${c.monitors} monitors (7 steps each): load and validate ${fmtS(c.loadSeconds)} s, render ${fmtS(c.renderSeconds_duckdb)} s (DuckDB) / ` +
          `${fmtS(c.renderSeconds_postgres)} s (Postgres), \`hindsight compile\` end to end ${fmtS(c.hindsightCompileSeconds)} s ` +
          `(module loading, ${fmtS(c.importSeconds)} s, excluded); peak RSS ${fmtMb(c.maxRssBytes)} MB.` +
          (c.cliSecondsEmptyTarget !== undefined
            ? ` The CLI, \`node bin/hindsight.js compile\` in a new process (cold: module loading and JIT warm-up included): ` +
              (c.cliSecondsEmptyTargetSystem !== undefined
                ? `${fmtS(c.cliSecondsEmptyTarget)} s into an empty target/ (median of 5, ${fmtS(c.cliSecondsEmptyTargetMin)}–${fmtS(c.cliSecondsEmptyTargetMax)} s; ` +
                  `${fmtS(c.cliSecondsEmptyTargetUser)} s of user and ${fmtS(c.cliSecondsEmptyTargetSystem)} s of system CPU, two threads), `
                : `${fmtS(c.cliSecondsEmptyTarget)} s into an empty target/, `) +
              `${fmtS(c.cliSecondsExistingTarget)} s over its files` +
              (c.cliSecondsExistingTargetMin !== undefined
                ? ` (median of 5, ${fmtS(c.cliSecondsExistingTargetMin)}–${fmtS(c.cliSecondsExistingTargetMax)} s), ` +
                  `${fmtS(c.cliSecondsNoPartialParse)} s (${fmtS(c.cliSecondsNoPartialParseMin)}–${fmtS(c.cliSecondsNoPartialParseMax)} s) with --no-partial-parse.`
                : '.')
            : ''),
      );
      lines.push('');
    }
  }
  return lines.join('\n');
}

export function writeReport(files: string[], reportFile: string, marker = 'bench'): void {
  const tables = renderTables(files);
  const begin = `<!-- ${marker}:begin -->`;
  const end = `<!-- ${marker}:end -->`;
  let text = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : `# Performance\n\n${begin}\n${end}\n`;
  if (!text.includes(begin)) text += `\n${begin}\n${end}\n`;
  const before = text.slice(0, text.indexOf(begin) + begin.length);
  const after = text.slice(text.indexOf(end));
  writeFileSync(reportFile, `${before}\n${tables}\n${after}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let args = process.argv.slice(2);
  const m = args.indexOf('--marker');
  const marker = m >= 0 ? args[m + 1]! : 'bench';
  if (m >= 0) args = args.filter((_, j) => j !== m && j !== m + 1);
  const i = args.indexOf('--write');
  if (i >= 0) {
    const target = args[i + 1]!;
    writeReport(args.filter((_, j) => j !== i && j !== i + 1), target, marker);
  } else {
    process.stdout.write(renderTables(args) + '\n');
  }
}

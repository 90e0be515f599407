// target/run_results.json: what a run did, for orchestrators and CI, versioned like dbt's.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Project, Target } from '../config/load.js';
import { parseYaml as parseYamlFile, TO_JS } from '../config/yaml-validate.js';
import type { MonitorResult } from '../runner/run.js';
import { HINDSIGHT_VERSION } from '../version.js';

/** target/run_results.json, versioned like dbt's, for orchestrators and CI. */
export function writeRunResults(project: Project, target: Target, asOf: Date, threads: number, results: MonitorResult[], elapsed: number): void {
  mkdirSync(dirname(runResultsPath(project)), { recursive: true });
  const doc = {
    metadata: { schema_version: 'hindsight/run-results/v1', hindsight_version: HINDSIGHT_VERSION, generated_at: new Date().toISOString() },
    target: { name: target.name, type: target.output.type },
    as_of: asOf.toISOString(),
    threads,
    elapsed_time: elapsed,
    results: results.map((r) => ({
      unique_id: `monitor.${project.config.name}.${r.monitor}`,
      status: r.status,
      mode: r.mode ?? null,
      reason: r.reason ?? null,
      run_id: r.runId,
      // the as-of its data were read as of: the run's less the monitor's load_delay
      as_of: r.asOf?.toISOString() ?? null,
      // windows ending at or before it are final (none of a forecast's)
      final_before: r.finalBefore?.toISOString() ?? null,
      recompute_from: r.recomputeFrom?.toISOString() ?? null,
      rows_written: r.rowsWritten,
      execution_time: r.seconds,
      sql_sha256: r.sqlSha256,
      steps: r.steps,
      message: r.error?.message ?? null,
    })),
  };
  writeFileSync(runResultsPath(project), JSON.stringify(doc, null, 2) + '\n');
}

const runResultsPath = (project: Project) => resolve(project.dir, project.config['target-path'], 'run_results.json');

/**
 * An orchestrator reads run_results.json after the command: a run stopped before it writes one (a
 * bad option, a configuration error) must not leave the previous run's "success" there (a column
 * missing from a source writes one: RefusedByColumnCheck). So it goes first, from hindsight.yml's target-path, read as the loader
 * reads it; where hindsight.yml cannot be read, the file is left (it might be another tool's: dbt's
 * is target/run_results.json too).
 */
export function removeRunResults(projectDir: string): void {
  const file = join(resolve(projectDir), 'hindsight.yml');
  if (!existsSync(file)) return;
  const { parsed, issues } = parseYamlFile('hindsight.yml', readFileSync(file, 'utf8'));
  if (issues.length) return;
  const config = parsed.doc.toJS(TO_JS) as unknown;
  const configured = config && typeof config === 'object' ? (config as Record<string, unknown>)['target-path'] : undefined;
  if (configured !== undefined && typeof configured !== 'string') return;
  rmSync(resolve(projectDir, configured ?? 'target', 'run_results.json'), { force: true });
}

// Reads a project from disk: hindsight.yml, the monitor files and profiles.yml. Every problem of
// every file is collected first and reported together as one ConfigError.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { renderEnvVars } from './env-var.js';
import { normalizeMonitor, type Monitor } from './monitor.js';
import { monitorFileSchema, profilesFileSchema, projectSchema, type OutputConfig, type ProjectConfig } from './schema.js';
import { closest } from './suggest.js';
import { formatPath, locate, parseYaml, validateYaml, type ParsedYaml, type Path } from './yaml-validate.js';

export interface Project {
  dir: string;
  config: ProjectConfig;
  monitors: Monitor[];
}

export interface Target {
  profile: string;
  name: string;
  output: OutputConfig;
}

/** Columns hindsight adds to its own tables; a key or segment column cannot take these names. */
export const RESERVED_COLUMNS = [
  'predicted_at', 'score', 'model_version', 'label', 'label_status', 'observed_at', 'label_delay_hours',
];

function readYaml(dir: string, path: string, issues: ConfigIssue[]): ParsedYaml | undefined {
  const file = relative(process.cwd(), join(dir, path)) || path;
  let text: string;
  try {
    text = readFileSync(join(dir, path), 'utf8');
  } catch {
    issues.push({ file, line: 1, column: 1, key: '', message: 'file not found' });
    return undefined;
  }
  const { parsed, issues: syntax } = parseYaml(file, text);
  issues.push(...syntax);
  return syntax.length > 0 ? undefined : parsed;
}

function yamlFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...yamlFilesUnder(full));
    else if (/\.ya?ml$/.test(entry)) out.push(full);
  }
  return out;
}

export function loadProject(projectDir: string): Project {
  const dir = resolve(projectDir);
  const issues: ConfigIssue[] = [];
  const parsed = readYaml(dir, 'hindsight.yml', issues);
  if (!parsed) throw new ConfigError(issues.length ? issues : [{ file: 'hindsight.yml', line: 1, column: 1, key: '', message: 'cannot be read' }]);
  const { value: config, issues: projectIssues } = validateYaml(projectSchema, parsed);
  issues.push(...projectIssues);
  if (!config) throw new ConfigError(issues);

  const monitors: Monitor[] = [];
  const seen = new Map<string, string>();
  for (const monitorPath of config['monitor-paths']) {
    for (const full of yamlFilesUnder(join(dir, monitorPath))) {
      const file = relative(dir, full);
      const doc = readYaml(dir, file, issues);
      if (!doc) continue;
      const { value, issues: fileIssues } = validateYaml(monitorFileSchema, doc);
      issues.push(...fileIssues);
      if (!value) continue;
      value.monitors.forEach((m, i) => {
        const path: Path = ['monitors', i];
        const before = issues.length;
        checkMonitor(m as unknown as Record<string, any>, doc, path, issues);
        const previous = seen.get(m.name);
        if (previous) issue(issues, doc, [...path, 'name'], `monitor "${m.name}" is already declared in ${previous}`);
        seen.set(m.name, file);
        if (issues.length === before) monitors.push(normalizeMonitor(m, file, positionsOf(doc, path, m)));
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { dir, config, monitors };
}

/** Positions of the keys that name columns, so later checks against the warehouse can point at them. */
function positionsOf(doc: ParsedYaml, path: Path, m: { segments: unknown[] }): Record<string, { line: number; column: number }> {
  const keys = ['predictions.key', 'predictions.timestamp', 'predictions.score', 'predictions.model_version', 'predictions.relation', 'predictions.sql',
    'outcomes.key', 'outcomes.timestamp', 'outcomes.label', 'outcomes.relation', 'outcomes.sql', ...m.segments.map((_, i) => `segments[${i}]`)];
  const out: Record<string, { line: number; column: number }> = {};
  for (const key of keys) {
    const steps: Path = key.split('.').flatMap((part) => {
      const seg = /^(\w+)\[(\d+)\]$/.exec(part);
      return seg ? [seg[1]!, Number(seg[2])] : [part];
    });
    out[key] = locate(doc, [...path, ...steps]);
  }
  return out;
}

function issue(issues: ConfigIssue[], doc: ParsedYaml, path: Path, message: string, suggestion?: string): void {
  issues.push({ file: doc.file, ...locate(doc, path), key: formatPath(path), message, suggestion });
}

/** Rules that involve more than one key, which the schema alone cannot express. */
function checkMonitor(m: Record<string, any>, doc: ParsedYaml, path: Path, issues: ConfigIssue[]): void {
  for (const side of ['predictions', 'outcomes'] as const) {
    const s = m[side];
    if ((s.relation === undefined) === (s.sql === undefined)) {
      issue(issues, doc, [...path, side], 'give exactly one of `relation` (a table or view) or `sql` (a query)');
    }
  }
  const pk: string[] = [m.predictions.key].flat();
  const ok: string[] = [m.outcomes.key].flat();
  if (pk.length !== ok.length) {
    issue(issues, doc, [...path, 'outcomes', 'key'], `has ${ok.length} column(s) but predictions.key has ${pk.length}; keys are matched position by position`);
  }
  const segments: string[] = m.segments.map((s: string | { column: string }) => (typeof s === 'string' ? s : s.column));
  const used = new Set<string>();
  segments.forEach((col, i) => {
    if (used.has(col)) issue(issues, doc, [...path, 'segments', i], `segment column "${col}" is listed twice`);
    if (pk.includes(col)) issue(issues, doc, [...path, 'segments', i], `"${col}" is a key column; segment by another column`);
    used.add(col);
  });
  const named: [Path, string][] = [
    ...pk.map((c, i): [Path, string] => [[...path, 'predictions', 'key', ...(Array.isArray(m.predictions.key) ? [i] : [])], c]),
    ...segments.map((c, i): [Path, string] => [[...path, 'segments', i], c]),
  ];
  for (const [p, col] of named) {
    if (RESERVED_COLUMNS.includes(col)) {
      issue(issues, doc, p, `"${col}" is a column hindsight writes itself; rename it in a \`sql:\` source (select ${col} as my_${col} …)`);
    }
  }
}

/** Finds profiles.yml: --profiles-dir, then the project dir, then ~/.hindsight/. */
export function findProfiles(projectDir: string, profilesDir?: string): string {
  const candidates = [profilesDir, projectDir, join(homedir(), '.hindsight')].filter((d): d is string => !!d);
  for (const d of candidates) if (existsSync(join(d, 'profiles.yml'))) return resolve(d);
  throw new ConfigError([
    { file: 'profiles.yml', line: 1, column: 1, key: '', message: `not found in ${candidates.join(', ')}; create one (see \`hindsight init\`) or pass --profiles-dir` },
  ]);
}

export function loadTarget(project: Project, options: { profilesDir?: string; target?: string } = {}): Target {
  const dir = findProfiles(project.dir, options.profilesDir);
  const issues: ConfigIssue[] = [];
  const parsed = readYaml(dir, 'profiles.yml', issues);
  if (!parsed) throw new ConfigError(issues);
  issues.push(...renderEnvVars(parsed));
  if (issues.length) throw new ConfigError(issues);
  const { value, issues: schemaIssues } = validateYaml(profilesFileSchema, parsed);
  if (!value) throw new ConfigError(schemaIssues);
  const profileName = project.config.profile;
  const profile = value[profileName];
  if (!profile) {
    throw new ConfigError([
      { file: parsed.file, line: 1, column: 1, key: profileName, message: `profile "${profileName}" (named in hindsight.yml) is not defined`, suggestion: closest(profileName, Object.keys(value)) },
    ]);
  }
  const targetName = options.target ?? profile.target;
  const output = profile.outputs[targetName];
  if (!output) {
    const path: Path = [profileName, 'outputs'];
    throw new ConfigError([
      { file: parsed.file, ...locate(parsed, path), key: formatPath(path), message: `target "${targetName}" is not defined; defined: ${Object.keys(profile.outputs).join(', ')}`, suggestion: closest(targetName, Object.keys(profile.outputs)) },
    ]);
  }
  if (output.type === 'duckdb' && output.path !== ':memory:') output.path = resolve(project.dir, output.path);
  return { profile: profileName, name: targetName, output };
}

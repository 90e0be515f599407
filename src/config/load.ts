// Reads a project from disk: hindsight.yml, the monitor files and profiles.yml. Every problem of
// every file is collected first and reported together as one ConfigError.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { isMap, isScalar } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { markedIn, renderEnvVars, withoutMarkers } from './env-var.js';
import { evaluationColumns, folded, normalizeMonitor, problemTypeRules, takenName, type KeyOrder, type Monitor } from './monitor.js';
import { seedSettingIssues } from './seed-files.js';
import { cleanSql, parenthesisProblem, WRAPPED, type Warehouse } from './sql-text.js';
import { monitorFileSchema, monitorSchema, profilesFileSchema, projectSchema, selectedProfileSchema, type MonitorConfig, type OutputConfig, type ProjectConfig } from './schema.js';
import { contentHash, PARTIAL_PARSE_FILE, PartialParseCache, type Declared } from './partial-parse.js';
import { closest } from './suggest.js';
import { formatPath, locate, locateKey, parseYaml, TO_JS, validateYaml, type ParsedYaml, type Path } from './yaml-validate.js';

export interface Project {
  dir: string;
  config: ProjectConfig;
  monitors: Monitor[];
  /**
   * Where hindsight.yml writes each `seeds:` table and each of its column_types' columns (keyed by
   * the table, and by the table and column joined by a NUL), for the seed errors that need the files.
   */
  seedPositions?: Map<string, Omit<ConfigIssue, 'message'>>;
}

export interface Target {
  profile: string;
  name: string;
  output: OutputConfig;
}

/**
 * Columns hindsight adds to its own tables and queries; a key or segment column cannot take these
 * names, in any case: BigQuery's column names, and Snowflake's unquoted ones, ignore case.
 */
export const RESERVED_COLUMNS = [
  'predicted_at', 'score', 'model_version', 'label', 'label_status', 'observed_at', 'label_delay_hours', 'duplicate_rank',
];
/**
 * Names a monitor's queries give columns beside a source's own (prediction_events' duplicate_rank;
 * the multiclass metric step's score totals): no key, segment or value column may take them.
 */
const queryColumns = (type: unknown) => ['duplicate_rank', ...(type === 'multiclass_classification' ? ['hs_score_total', 'hs_score_usable'] : [])];
/**
 * Names the shared outcome steps (models/outcome_matches.sql, models/evaluations.sql; not a forecast's
 * or a recommendation's) give columns beside the prediction key and the outcome values: a key named
 * outcome_class was read in their place (every label `missing` on DuckDB, with no error; a duplicate
 * column on the other warehouses), so no key or outcome value column may take them.
 */
const outcomeQueryColumns = (type: unknown) => (type === 'forecast' || type === 'recommendation' ? [] : ['outcome_class', 'outcome_rank']);

/** A file's path as messages show it: relative to the working directory. */
const displayPath = (dir: string, file: string) => relative(process.cwd(), resolve(dir, file)) || file;

/** A file's text, or an issue at its first line saying why there is none. */
function readText(dir: string, path: string, missing = 'file not found'): string | ConfigIssue {
  try {
    return readFileSync(resolve(dir, path), 'utf8'); // (a monitor file may be outside the project: absolute monitor-paths)
  } catch {
    return { file: displayPath(dir, path), line: 1, column: 1, key: '', message: missing };
  }
}

function readYaml(dir: string, path: string, issues: ConfigIssue[], missing?: string): ParsedYaml | undefined {
  const file = displayPath(dir, path);
  const text = readText(dir, path, missing);
  if (typeof text !== 'string') {
    issues.push(text);
    return undefined;
  }
  const { parsed, issues: syntax, readable } = parseYaml(file, text);
  issues.push(...syntax);
  return readable ? parsed : undefined;
}

/**
 * The YAML files under `dir`, in name order. Hidden entries are skipped, and so are entries that
 * cannot be read: an editor's lock files (Emacs's `.#x.yml`, a dangling link), macOS's `._x.yml`.
 */
function yamlFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    const full = join(dir, entry);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (stat?.isDirectory()) out.push(...yamlFilesUnder(full));
    else if (stat?.isFile() && /\.ya?ml$/.test(entry)) out.push(full);
  }
  return out;
}

/** The names of a directory's subdirectories (for suggestions). */
export const subdirectories = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((e) => statSync(join(dir, e), { throwIfNoEntry: false })?.isDirectory()) : []);

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface LoadOptions {
  /**
   * Reuse target/partial_parse.json for monitor files whose bytes have not changed, and update it
   * (src/config/partial-parse.ts). The CLI turns it on unless --no-partial-parse.
   */
  partialParse?: boolean;
  /**
   * Check hindsight.yml's `seeds:` against the seed files too (validate and seed, and so build): its
   * problems are reported with the monitor files'. Commands that load no seed do not read the files.
   */
  seeds?: boolean;
}

export function loadProject(projectDir: string, options: LoadOptions = {}): Project {
  const dir = resolve(projectDir);
  const issues: ConfigIssue[] = [];
  const parsed = readYaml(dir, 'hindsight.yml', issues, `no hindsight.yml in ${dir}; create a project with \`hindsight init\` or pass --project-dir`);
  if (!parsed) throw new ConfigError(issues);
  const templates = renderEnvVars(parsed); // (every value of hindsight.yml is used: each failure is reported)
  const raw = parsed.doc.toJS(TO_JS) as unknown;
  const { value: config, issues: projectIssues } = validateYaml(projectSchema, parsed, raw);
  issues.push(...new Set([...templates, ...withoutMarkers(projectIssues, templates)]));
  // Without a valid hindsight.yml there is no target path to keep the cache in.
  const cache = options.partialParse && config ? new PartialParseCache(resolve(dir, config['target-path'], PARTIAL_PARSE_FILE)) : undefined;

  // Even when hindsight.yml has problems, the monitor files are checked too: all errors in one pass.
  const rawPaths = isRecord(raw) ? raw['monitor-paths'] : undefined;
  const explicitPaths = Array.isArray(rawPaths) && rawPaths.every((p) => typeof p === 'string');
  const monitorPaths: string[] = config?.['monitor-paths'] ?? (explicitPaths ? (rawPaths as string[]) : ['monitors']);

  const monitors: Monitor[] = [];
  const seen = new Map<string, string>();
  // monitor-paths that overlap (monitors, monitors/sub) name some files twice: each is read once
  // (and with `monitor-paths: [.]`, the project's own hindsight.yml and profiles.yml are no monitor
  // files: they were read as ones, "unknown key \"name\"; expected one of: monitors, version")
  const read = new Set<string>(['hindsight.yml', 'profiles.yml'].map((f) => join(dir, f)));
  monitorPaths.forEach((monitorPath, i) => {
    if (explicitPaths && !existsSync(resolve(dir, monitorPath))) {
      issue(issues, parsed, ['monitor-paths', i], `directory "${monitorPath}" does not exist in the project directory`, closest(monitorPath, subdirectories(dir)));
      return;
    }
    if (explicitPaths && !statSync(resolve(dir, monitorPath)).isDirectory()) {
      issue(issues, parsed, ['monitor-paths', i], `"${monitorPath}" is a file: monitor-paths lists directories, whose monitor files (and those of their subdirectories) are all read`);
      return;
    }
    for (const full of yamlFilesUnder(resolve(dir, monitorPath))) {
      if (read.has(full)) continue;
      read.add(full);
      const file = relative(dir, full);
      const loaded = loadMonitorFile(dir, file, cache);
      issues.push(...loaded.issues);
      const shown = displayPath(dir, file);
      // Monitor names are unique across files, so this check runs on every load, cached or not.
      const duplicates = new Set<string>();
      for (const d of loaded.declared) {
        const previous = seen.get(d.name);
        if (previous) {
          issues.push({ file: shown, line: d.line, column: d.column, key: d.key, message: `monitor "${d.name}" is already declared at ${previous}; monitor names must be unique in a project` });
          duplicates.add(d.name);
        } else seen.set(d.name, `${shown}:${d.line}:${d.column}`);
      }
      monitors.push(...loaded.monitors.filter((m) => !duplicates.has(m.name)));
    }
  });
  cache?.save();
  const seeds = config?.seeds ? { seedPositions: seedPositions(parsed, config.seeds) } : {};
  // (hindsight.yml's seeds: tables no seed file loads into; their columns are checked by `seed`, which reads the files)
  if (config && options.seeds) {
    // (a file there: "ENOTDIR: not a directory, scandir …", exit 1)
    config['seed-paths'].forEach((seedPath, i) => {
      if (statSync(resolve(dir, seedPath), { throwIfNoEntry: false })?.isFile()) {
        issue(issues, parsed, ['seed-paths', i], `"${seedPath}" is a file: seed-paths lists directories, whose CSV files (and those of their subdirectories) are loaded`);
      }
    });
    issues.push(...seedSettingIssues({ dir, config, ...seeds }));
  }
  if (issues.length > 0 || !config) throw new ConfigError(issues);
  return { dir, config, monitors, ...seeds };
}

function seedPositions(parsed: ParsedYaml, seeds: NonNullable<ProjectConfig['seeds']>): Map<string, Omit<ConfigIssue, 'message'>> {
  const at = (path: Path) => ({ file: parsed.file, key: formatPath(path), ...locateKey(parsed, path) });
  const positions = new Map<string, Omit<ConfigIssue, 'message'>>();
  for (const [table, settings] of Object.entries(seeds)) {
    positions.set(table, at(['seeds', table]));
    for (const column of Object.keys(settings.column_types)) positions.set(`${table}\0${column}`, at(['seeds', table, 'column_types', column]));
  }
  return positions;
}

/**
 * One monitor file: its problems, the names it declares (with where) and its valid monitors. From
 * the partial-parse cache when the file is unchanged, which holds only files without problems.
 */
function loadMonitorFile(dir: string, file: string, cache: PartialParseCache | undefined): { issues: ConfigIssue[]; declared: Declared[]; monitors: Monitor[] } {
  const shown = displayPath(dir, file);
  const text = readText(dir, file);
  if (typeof text !== 'string') return { issues: [text], declared: [], monitors: [] };
  // A file with templates reads the environment, which its text does not show: it is not cached.
  const cacheable = cache && !text.includes('{{') ? cache : undefined;
  const sha256 = cacheable ? contentHash(text) : '';
  const cached = cacheable?.get(file, sha256);
  if (cached) return { issues: [], declared: cached.declared, monitors: cached.monitors.map((m) => ({ ...m, file: shown }) as Monitor) };

  const { parsed: doc, issues, readable } = parseYaml(shown, text);
  if (!readable) return { issues, declared: [], monitors: [] };
  // an empty or comment-only file declares nothing (a placeholder, a monitor commented out), as in dbt
  if (doc.doc.contents === null && issues.length === 0) return { issues, declared: [], monitors: [] };
  const templates = renderEnvVars(doc);
  const data = doc.doc.toJS(TO_JS) as unknown;
  const { value, issues: fileIssues } = validateYaml(monitorFileSchema, doc, data);
  issues.push(...new Set([...templates, ...withoutMarkers(fileIssues, templates)]));
  const declared: Declared[] = [];
  const monitors: Monitor[] = [];
  const list = isRecord(data) && Array.isArray(data.monitors) ? data.monitors : [];
  list.forEach((m: unknown, i: number) => {
    if (!isRecord(m)) return;
    const path: Path = ['monitors', i];
    const before = issues.length;
    checkMonitor(m, doc, path, issues);
    // (as written: beside the schema's errors, not after they are fixed; once a key has an error, its own)
    const reported = new Set(issues.map((i) => i.key));
    for (const [at, message] of problemTypeRules(m)) if (!reported.has(formatPath([...path, ...at]))) issue(issues, doc, [...path, ...at], message);
    if (typeof m.name === 'string') declared.push({ name: m.name, key: formatPath([...path, 'name']), ...locate(doc, [...path, 'name']) });
    // A file with a schema error has no parsed value: each monitor is then parsed alone, so that the
    // rules of a valid monitor beside an invalid one are reported in the same pass.
    const config = value ? value.monitors[i] : ownConfig(m);
    if (config && issues.length === before) {
      const monitor = normalizeMonitor(config, doc.file, keyOrderOf(doc, path));
      monitor.positions = positionsOf(doc, path, monitor);
      const columns = evaluationColumns(monitor).map(folded);
      const twice = [...new Set(columns.filter((c, k) => columns.indexOf(c) !== k))];
      // value columns that keep their own names (class scores, forecast quantiles) beside the query's
      const clashing = [
        ...[...monitor.predictions.values, ...monitor.outcomes.values].filter((v) => !v.internal && queryColumns(monitor.type).includes(folded(v.column))),
        ...monitor.outcomes.values.filter((v) => !v.internal && outcomeQueryColumns(monitor.type).includes(folded(v.column))),
      ];
      for (const v of clashing) {
        const at = monitor.positions[v.configKey];
        issues.push({ file: doc.file, line: at?.line ?? 1, column: at?.column ?? 1, key: at?.key ?? v.configKey, message: `"${v.column}" is a column hindsight's queries add themselves; rename it in a \`sql:\` source` });
      }
      // (at the value column, a class score say, that takes a name the table has already, when one does)
      const [own] = [...monitor.predictions.values, ...monitor.outcomes.values].filter((v) => !v.internal && twice.includes(folded(v.alias)));
      const at = own && monitor.positions[own.configKey];
      if (twice.length && at) {
        issues.push({ file: doc.file, line: at.line, column: at.column, key: at.key, message: `the evaluations table would have the column(s) ${twice.join(', ')} twice: "${own!.alias}" is one of them; rename it in a \`sql:\` source` });
      } else if (twice.length) issue(issues, doc, path, `the evaluations table would have the column(s) ${twice.join(', ')} twice; rename them in a \`sql:\` source`);
      else if (!clashing.length) monitors.push(monitor);
    }
  });
  if (cacheable && issues.length === 0) {
    cacheable.set(file, { sha256, declared, monitors: monitors.map(({ file: _file, ...rest }) => rest) });
  }
  return { issues, declared, monitors };
}

/** The file's order of the keys of a monitor's mappings whose order matters (normalizeMonitor). */
function keyOrderOf(doc: ParsedYaml, path: Path): KeyOrder {
  const order: KeyOrder = {};
  for (const key of ['predictions.class_scores', 'outputs']) {
    const node = doc.doc.getIn([...path, ...key.split('.')], true);
    if (isMap(node)) order[key] = node.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key));
  }
  return order;
}

/** A monitor's parsed configuration, when it is valid by itself. */
function ownConfig(m: unknown): MonitorConfig | undefined {
  const parsed = monitorSchema.safeParse(m);
  return parsed.success ? parsed.data : undefined;
}

/** Positions of the keys that name columns, so later checks against the warehouse can point at them. */
function positionsOf(doc: ParsedYaml, path: Path, m: Monitor): Monitor['positions'] {
  const keys = [m.predictions.configKeys?.key ?? 'predictions.key', m.predictions.configKeys?.timestamp ?? 'predictions.timestamp',
    'predictions.model_version', 'predictions.relation', 'predictions.sql', 'predictions.where', m.outcomes.configKeys?.key ?? 'outcomes.key',
    m.outcomes.configKeys?.timestamp ?? 'outcomes.timestamp', 'outcomes.relation', 'outcomes.sql', ...m.segments.map((_, i) => `segments[${i}]`),
    ...m.predictions.values.map((v) => v.configKey), ...m.outcomes.values.map((v) => v.configKey),
    ...(m.recommendation ? ['predictions.match', 'catalog.relation', 'catalog.sql', 'catalog.item'] : [])];
  const out: Monitor['positions'] = {};
  for (const key of keys) {
    const steps: Path = key.split('.').flatMap((part) => {
      const seg = /^(\w+)\[(\d+)\]$/.exec(part);
      return seg ? [seg[1]!, Number(seg[2])] : [part];
    });
    out[key] = { ...locate(doc, [...path, ...steps]), key: formatPath([...path, ...steps]) };
  }
  return out;
}

function issue(issues: ConfigIssue[], doc: ParsedYaml, path: Path, message: string, suggestion?: string, at = locate(doc, path)): void {
  issues.push({ file: doc.file, ...at, key: formatPath(path), message, suggestion });
}

const isColumn = (v: unknown): v is string => typeof v === 'string';
/** A key as written (`id` or `[a, b]`), or undefined when it is not well-formed (the schema says so). */
function columnsOf(v: unknown): string[] | undefined {
  if (isColumn(v)) return [v];
  return Array.isArray(v) && v.length > 0 && v.every(isColumn) ? v : undefined;
}

/**
 * Rules that involve more than one key, which the schema alone cannot express. They read the data as
 * written, so they are reported alongside schema errors, and skip whatever is not well-formed.
 */
function checkMonitor(m: Record<string, unknown>, doc: ParsedYaml, path: Path, issues: ConfigIssue[]): void {
  for (const side of ['predictions', 'outcomes'] as const) {
    const s = m[side];
    if (!isRecord(s)) continue;
    if (s.relation !== undefined && s.sql !== undefined) {
      issue(issues, doc, [...path, side, 'sql'], 'cannot be given together with `relation`; give either `relation` (a table or view) or `sql` (a query)', undefined, locateKey(doc, [...path, side, 'sql']));
    } else if (s.relation === undefined && s.sql === undefined) {
      issue(issues, doc, [...path, side], 'needs `relation` (a table or view) or `sql` (a query)', undefined, locateKey(doc, [...path, side]));
    }
    // (comments alone: the schema's non-empty text, which cleanSql leaves empty; a `where:` so would filter nothing)
    if (typeof s.sql === 'string' && s.sql.trim() && cleanSql(s.sql) === '') issue(issues, doc, [...path, side, 'sql'], 'holds comments only, no query');
    if (typeof s.where === 'string' && s.where.trim() && cleanSql(s.where) === '') issue(issues, doc, [...path, side, 'where'], 'holds a comment only, no condition: write one, or leave `where` out');
    for (const key of ['sql', 'where'] as const) {
      const problem = typeof s[key] === 'string' ? parenthesisProblem(s[key]) : undefined;
      if (problem) issue(issues, doc, [...path, side, key], `${problem}: ${WRAPPED}`);
    }
  }
  const catalogSql = isRecord(m.catalog) && typeof m.catalog.sql === 'string' ? parenthesisProblem(m.catalog.sql) : undefined;
  if (catalogSql) issue(issues, doc, [...path, 'catalog', 'sql'], `${catalogSql}: ${WRAPPED}`);
  const predictions = isRecord(m.predictions) ? m.predictions : {};
  const outcomes = isRecord(m.outcomes) ? m.outcomes : {};
  const pk = columnsOf(predictions.key);
  const ok = columnsOf(outcomes.key);
  // recommendations match interactions on predictions.match (the user), not on the request key
  const matched = m.type === 'recommendation' ? 'match' : 'key';
  const mk = m.type === 'recommendation' ? columnsOf(predictions.match) : pk;
  if (mk && ok && mk.length !== ok.length) {
    issue(issues, doc, [...path, 'outcomes', 'key'], `has ${ok.length} column(s) but predictions.${matched} has ${mk.length}; keys are matched position by position`);
  }
  // A class is the text labels are compared with (docs/semantics.md §5b), but YAML reads a plain key
  // such as 01, 1.50 or 1e3 as a number, whose text is another (1, 1.5, 1000): classes '01' and '02'
  // then matched no label, and log_loss, brier_score and roc_auc came out wrong with no error.
  const classScores = m.type === 'multiclass_classification' ? doc.doc.getIn([...path, 'predictions', 'class_scores'], true) : undefined;
  if (isMap(classScores)) {
    for (const { key } of classScores.items) {
      // (a null key, ~ or null, is the empty class, which the schema refuses as such)
      if (!isScalar(key) || typeof key.value === 'string' || key.value === null || key.source === undefined || String(key.value) === key.source) continue;
      const at = [...path, 'predictions', 'class_scores', String(key.value)];
      issue(issues, doc, at, `YAML reads the key ${key.source} as ${String(key.value)}, the class "${String(key.value)}"; quote it ('${key.source}': …) for the class "${key.source}"`, undefined, locateKey(doc, at));
    }
  }
  const rawSegments = Array.isArray(m.segments) ? m.segments : [];
  // [column, where it is written] of each segment: `- country` or `- {column: country}`.
  const segments = rawSegments.map((s: unknown, i): [string, Path] | undefined =>
    isColumn(s) ? [s, [...path, 'segments', i]] : isRecord(s) && isColumn(s.column) ? [s.column, [...path, 'segments', i, 'column']] : undefined);
  const used = new Map<string, string>();
  const caseNote = (col: string, as: string) => (as === col ? '' : ` (as "${as}": BigQuery and Snowflake ignore the case of names)`);
  for (const segment of segments) {
    if (!segment) continue;
    const [col, at] = segment;
    const earlier = used.get(folded(col));
    if (earlier !== undefined) issue(issues, doc, at, `segment column "${col}" is listed twice${caseNote(col, earlier)}`);
    const key = pk?.find((k) => folded(k) === folded(col));
    if (key !== undefined) issue(issues, doc, at, `"${col}" is a key column${caseNote(col, key)}; segment by another column`);
    used.set(folded(col), earlier ?? col);
  }
  // [where it is written, the column, whether it is a key column]
  const named: [Path, string, boolean][] = [
    ...(pk ?? []).map((c, i): [Path, string, boolean] => [[...path, 'predictions', 'key', ...(Array.isArray(predictions.key) ? [i] : [])], c, true]),
    ...segments.flatMap((s): [Path, string, boolean][] => (s ? [[s[1], s[0], false]] : [])),
  ];
  for (const [p, col, isKey] of named) {
    const taken = queryColumns(m.type).includes(folded(col)) || (isKey && outcomeQueryColumns(m.type).includes(folded(col)));
    if (RESERVED_COLUMNS.includes(folded(col)) || taken) {
      const adds = RESERVED_COLUMNS.includes(folded(col)) ? 'hindsight writes itself' : "hindsight's queries add themselves";
      issue(issues, doc, p, takenName(col, adds));
    }
  }
}

/**
 * Finds profiles.yml: in --profiles-dir when given (there only, as dbt: a profiles.yml found
 * elsewhere would connect to another warehouse than the one asked for), else in the project dir,
 * then ~/.hindsight/.
 */
export function findProfiles(projectDir: string, profilesDir?: string): string {
  // (as dbt's DBT_PROFILES_DIR: the option, else the environment's)
  const given = profilesDir ?? (process.env.HINDSIGHT_PROFILES_DIR || undefined);
  const candidates = given ? [given] : [projectDir, join(homedir(), '.hindsight')];
  for (const d of candidates) if (existsSync(join(d, 'profiles.yml'))) return resolve(d);
  const from = profilesDir === undefined && given ? ' (HINDSIGHT_PROFILES_DIR)' : '';
  throw new ConfigError([
    { file: 'profiles.yml', line: 1, column: 1, key: '', message: `not found in ${candidates.join(', ')}${from}; create one (see \`hindsight init\`) or pass --profiles-dir` },
  ]);
}

/** The target asked for: --target, else (as dbt's DBT_TARGET) HINDSIGHT_TARGET, with where it was asked for. */
function targetAsked(target: string | undefined): { name?: string; from?: string } {
  if (target !== undefined) return { name: target, from: '--target' };
  const env = process.env.HINDSIGHT_TARGET;
  return env ? { name: env, from: 'HINDSIGHT_TARGET' } : {};
}

export function loadTarget(project: Project, options: { profilesDir?: string; target?: string } = {}): Target {
  const dir = findProfiles(project.dir, options.profilesDir);
  const asked = targetAsked(options.target);
  const issues: ConfigIssue[] = [];
  const parsed = readYaml(dir, 'profiles.yml', issues);
  if (!parsed) throw new ConfigError(issues);
  const profileName = project.config.profile;
  // Only the profile and target this run uses are checked (selectedProfileSchema), and only the
  // templates that failed in what they hold, as read (anchors and merge keys resolved), reported.
  const templates = renderEnvVars(parsed);
  const profiles = parsed.doc.toJS(TO_JS) as unknown;
  const defined = isRecord(profiles) ? Object.keys(profiles) : [];
  const profile = isRecord(profiles) ? profiles[profileName] : undefined;
  const outputs = isRecord(profile) && isRecord(profile.outputs) ? profile.outputs : undefined;
  const targetKey = isRecord(profile) && asked.name === undefined ? profile.target : undefined;
  const failed = markedIn(targetKey, [profileName, 'target'], templates);
  const targetFailed = failed.length > 0; // (reported as such, not as an undefined target)
  let targetName = asked.name ?? (typeof targetKey === 'string' && !targetFailed ? targetKey : undefined);
  const known = targetName !== undefined && outputs !== undefined && Object.hasOwn(outputs, targetName);
  if (known) failed.push(...markedIn(outputs[targetName!], [profileName, 'outputs', targetName!], templates));
  issues.push(...new Set(failed.map((f) => f.issue)));
  const { value, issues: schemaIssues } = validateYaml(
    isRecord(profiles) && profile !== undefined ? selectedProfileSchema(profileName, known ? targetName : undefined, asked.name !== undefined) : profilesFileSchema,
    parsed,
  );
  // A value whose env_var() failed holds a marker of it: its schema error would be noise.
  const unrendered = new Set(failed.map((f) => formatPath(f.path)));
  issues.push(...schemaIssues.filter((s) => !unrendered.has(s.key)));

  if (profile === undefined && isRecord(profiles)) {
    // The name is wrong where it is written: hindsight.yml.
    const at = readYaml(project.dir, 'hindsight.yml', []);
    issues.push({
      ...(at ? { file: at.file, ...locate(at, ['profile']) } : { file: 'hindsight.yml', line: 1, column: 1 }),
      key: 'profile',
      message: `profile "${profileName}" is not defined in ${parsed.file}; defined: ${defined.join(', ') || 'none'}`,
      suggestion: closest(profileName, defined),
    });
  }
  const selected = value && profile !== undefined ? (value as Record<string, { target?: string; outputs: Record<string, unknown> }>)[profileName] : undefined;
  if (selected && !targetFailed) {
    const outputs = selected.outputs;
    targetName = asked.name ?? selected.target!; // required unless --target is given
    if (!Object.hasOwn(outputs, targetName)) {
      const names = Object.keys(outputs);
      const message = `target "${targetName}" is not defined in ${profileName}.outputs; defined: ${names.join(', ') || 'none'}`;
      const path: Path = asked.name === undefined ? [profileName, 'target'] : [profileName, 'outputs'];
      issues.push({
        file: parsed.file,
        ...(asked.name === undefined ? locate(parsed, path) : locateKey(parsed, path)),
        key: asked.name === undefined ? formatPath(path) : asked.from!,
        message,
        suggestion: closest(targetName, names),
      });
    }
  }
  if (issues.length || !selected || targetName === undefined) throw new ConfigError(withoutMarkers(issues, templates));
  const output = selected.outputs[targetName] as OutputConfig;
  // (a leading ~ is the home directory, as DuckDB and dbt-duckdb read it: resolved against the
  // project, it made a directory named "~" there and an empty database in it)
  if (output.type === 'duckdb' && output.path !== ':memory:') {
    const written = output.path;
    output.path = resolve(project.dir, written.replace(/^~(?=$|[/\\])/, homedir()));
    // (DuckDB opens a file: given a directory, `run` failed with "IO Error: Could not read from file …: Is a directory", exit 1)
    if (statSync(output.path, { throwIfNoEntry: false })?.isDirectory()) {
      const path: Path = [profileName, 'outputs', targetName, 'path'];
      throw new ConfigError([{
        file: parsed.file, ...locate(parsed, path), key: formatPath(path),
        message: `"${written}" is a directory (${output.path}); expected a DuckDB database file, e.g. ${join(written, 'hindsight.duckdb')}`,
      }]);
    }
  }
  // (the monitors' SQL as the target reads it: the monitor files are checked for no target)
  const sqlIssues = targetSqlIssues(project, output.type);
  if (sqlIssues.length) throw new ConfigError(sqlIssues);
  return { profile: profileName, name: targetName, output };
}

/**
 * What finding the target needs of a project that does not load (its monitors have problems, say):
 * the profile hindsight.yml names, and its schema when that is valid; no monitors.
 */
export function projectForTarget(projectDir: string): Project | undefined {
  const dir = resolve(projectDir);
  if (!existsSync(join(dir, 'hindsight.yml'))) return undefined;
  const parsed = readYaml(dir, 'hindsight.yml', []);
  if (!parsed) return undefined;
  renderEnvVars(parsed);
  const raw = parsed.doc.toJS(TO_JS) as unknown;
  const profile = isRecord(raw) ? raw.profile : undefined;
  if (typeof profile !== 'string' || !profile || profile.includes('\u0000')) return undefined; // (\u0000: its env_var() failed)
  const schema = projectSchema.shape.schema.safeParse(isRecord(raw) ? raw.schema : undefined);
  return { dir, config: { profile, ...(schema.success ? { schema: schema.data } : {}) } as ProjectConfig, monitors: [] };
}

/**
 * The project and its target, with the problems of hindsight.yml, of the monitor files and of
 * profiles.yml reported together in one ConfigError (profiles.yml is checked even when the project
 * has errors, as long as hindsight.yml names a profile).
 */
export function loadProjectAndTarget(projectDir: string, options: { profilesDir?: string; target?: string } & LoadOptions = {}): { project: Project; target: Target } {
  const issues: ConfigIssue[] = [];
  let project: Project | undefined;
  try {
    project = loadProject(projectDir, options);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    issues.push(...e.issues);
  }
  const forTarget = project ?? projectForTarget(projectDir);
  let target: Target | undefined;
  if (forTarget) {
    try {
      target = loadTarget(forTarget, options);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      issues.push(...e.issues);
    }
  }
  if (issues.length > 0 || !project || !target) throw new ConfigError(issues);
  return { project, target };
}

/**
 * The parentheses of each monitor's SQL as the target's warehouse reads them (parenthesisProblem):
 * the monitor files are checked for what every warehouse's reading refuses, and this adds what the
 * target's alone does (a `)` behind a `//` that divides on DuckDB, or a `#` that is Postgres's XOR).
 */
function targetSqlIssues(project: Project, warehouse: Warehouse): ConfigIssue[] {
  return project.monitors.flatMap((m) => {
    const texts: [string, string | undefined][] = [
      ['predictions.sql', m.predictions.sql], ['predictions.where', m.predictions.where], ['outcomes.sql', m.outcomes.sql], ['catalog.sql', m.recommendation?.catalog?.sql],
    ];
    return texts.flatMap(([key, sql]) => {
      const problem = sql === undefined ? undefined : parenthesisProblem(sql, warehouse);
      const at = m.positions[key] ?? { line: 1, column: 1, key: `${m.name}.${key}` };
      return problem ? [{ file: m.file, ...at, message: `${problem} as ${warehouse} reads it: ${WRAPPED}` }] : [];
    });
  });
}

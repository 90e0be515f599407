// The kinds of failure a user sees (configuration, command line, warehouse), each with enough context to act on without a stack trace.

/** One problem in a configuration file, located by file, line and column. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the key, e.g. `monitors[0].predictions.score`. */
  key: string;
  message: string;
  suggestion?: string;
}

/**
 * What a warehouse said, on one line for a message of hindsight's: whitespace collapsed (Snowflake
 * says "SQL compilation error:" and names the column on the next line), cut at `max` characters.
 */
export function warehouseSaid(error: unknown, max = 300): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim().slice(0, max);
}

export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  const key = issue.key ? ` ${issue.key}:` : '';
  const hint = issue.suggestion ? ` (did you mean "${issue.suggestion}"?)` : '';
  return `${where}:${key} ${issue.message}${hint}`;
}

/** Issues grouped by file (in the order the files were read), each file's from top to bottom. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const files = [...new Set(issues.map((i) => i.file))];
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) =>
      files.indexOf(a.issue.file) - files.indexOf(b.issue.file) ||
      a.issue.line - b.issue.line ||
      a.issue.column - b.issue.column ||
      a.index - b.index)
    .map(({ issue }) => issue);
}

/** All the configuration problems of a project, reported together (exit code 2). */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  /** What the issues are, after their count in the last line `hindsight` prints. */
  readonly summary: string = 'configuration error(s)';
  constructor(issues: ConfigIssue[]) {
    const sorted = sortIssues(issues);
    super(sorted.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = sorted;
  }
}

/** A command line that cannot be carried out as given: a bad argument, or files it would overwrite (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A monitor's run that failed, named by monitor, step and the file holding the step's SQL: a
 * statement the warehouse refused, or before any step (`plan`: the queries that decide what to
 * recompute, or writing the compiled steps), where there is no file to name. The step `commit`
 * commits the statements of the write step. `location` is where in the file the warehouse placed
 * the error, when it said (path:line:column, which editors and terminals open).
 */
export class WarehouseError extends Error {
  constructor(
    readonly monitor: string,
    readonly step: string,
    readonly compiledPath: string | undefined,
    readonly cause: unknown,
    readonly location?: { line: number; column?: number },
  ) {
    const at = compiledPath && location ? `${compiledPath}:${location.line}${location.column === undefined ? '' : `:${location.column}`}` : compiledPath;
    const where = at === undefined ? '' : step === 'commit' ? ` (committing the SQL in ${at})` : ` (SQL in ${at})`;
    super(`monitor ${monitor}, step ${step} failed${where}:\n  ${reasonOf(cause, !location).split('\n').join('\n  ')}`);
    this.name = 'WarehouseError';
  }
}

/**
 * What a failure says. PostgreSQL (pg) puts part of what it says beside the message: DETAIL (which
 * view depends on a table, which key is duplicated), HINT, and the statement's position (unless the
 * file's is given instead).
 */
function reasonOf(cause: unknown, withPosition: boolean): string {
  if (!(cause instanceof Error)) return String(cause);
  const pg = cause as Error & { detail?: string; hint?: string; position?: string };
  return [cause.message, pg.detail && `DETAIL: ${pg.detail}`, pg.hint && `HINT: ${pg.hint}`, withPosition && pg.position && `at character ${pg.position} of the statement`]
    .filter(Boolean)
    .join('\n');
}

// The two kinds of failure a user sees, each with enough context to act on without a stack trace.

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

/** A statement that failed in the warehouse, named by monitor, step and the file holding its SQL. */
export class WarehouseError extends Error {
  constructor(
    readonly monitor: string,
    readonly step: string,
    readonly compiledPath: string,
    readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`monitor ${monitor}, step ${step} failed (SQL in ${compiledPath}):\n  ${reason.split('\n').join('\n  ')}`);
    this.name = 'WarehouseError';
  }
}

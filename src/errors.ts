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

/** All the configuration problems of a project, reported together (exit code 2). */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
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

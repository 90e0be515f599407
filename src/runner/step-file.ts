// A step's compiled file under target/run/, and where in it a statement the warehouse refused
// went wrong: the warehouse counts within the statement, a user reads the file.
import type { StatementPosition } from '../adapters/adapter.js';
import type { Step } from '../compiler/compile.js';

/** What `hindsight run` writes for a step: its statements as executed, or the step's SQL as rendered. */
export function stepFileText(step: Step): string {
  return step.kind === 'table' ? step.statements.join(';\n\n') + ';\n' : step.sql;
}

export interface FileLocation {
  line: number;
  column?: number;
}

/**
 * The line (and column) of `file` at `position` in statement `index` of `statements`, each of which
 * is a part of the file, in order; undefined if a statement cannot be found in it.
 */
export function locateInFile(file: string, statements: readonly string[], index: number, position: StatementPosition): FileLocation | undefined {
  let start = -1;
  let from = 0;
  for (const statement of statements.slice(0, index + 1)) {
    start = file.indexOf(statement, from);
    if (start < 0) return undefined;
    from = start + statement.length;
  }
  const statement = statements[index]!;
  const before = file.slice(0, start);
  const lineOfStatement = before.split('\n').length;
  if ('offset' in position) {
    // (a count of characters, as Postgres counts them: code points, not UTF-16 units)
    const prefix = Array.from(statement).slice(0, position.offset).join('');
    const lines = (before.slice(before.lastIndexOf('\n') + 1) + prefix).split('\n');
    return { line: lineOfStatement + lines.length - 1, column: Array.from(lines.at(-1)!).length + 1 };
  }
  // (the statement's first line starts where it does in the file: its columns there are shifted)
  const shift = position.line === 1 ? Array.from(before.slice(before.lastIndexOf('\n') + 1)).length : 0;
  return { line: lineOfStatement + position.line - 1, ...(position.column === undefined ? {} : { column: position.column + shift }) };
}

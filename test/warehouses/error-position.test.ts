// Where each warehouse's error says it is, within the statement, and that place in a step's file.
import { describe, expect, it } from 'vitest';
import { bigqueryErrorPosition } from '../../src/adapters/bigquery.js';
import { duckdbErrorPosition } from '../../src/adapters/duckdb.js';
import { postgresErrorPosition } from '../../src/adapters/postgres.js';
import { snowflakeErrorPosition } from '../../src/adapters/snowflake.js';
import { locateInFile } from '../../src/runner/step-file.js';

describe("a warehouse error's place in its statement", () => {
  it('DuckDB: the LINE it quotes, and the column of its caret unless the line was cut', () => {
    // (DuckDB 1.5's words, from the integration test's statement)
    expect(duckdbErrorPosition(new Error('Binder Error: Referenced column "nosuch_x" not found in FROM clause!\nCandidate bindings: "score"\n\nLINE 189:         nosuch_x as n,\n' + ' '.repeat(18) + '^'))).toEqual({ line: 189, column: 9 });
    expect(duckdbErrorPosition(new Error('Binder Error: x\n\nLINE 1: ... base_key, nosuch_x AS n, SUM(label) AS n_positive...\n                       ^'))).toEqual({ line: 1 });
    // (DuckDB's caret counts display width: a wide character is two, a tab none)
    expect(duckdbErrorPosition(new Error("Binder Error: x\n\nLINE 2:   '日本語日本語', nosuch\n" + ' '.repeat(26) + '^'))).toEqual({ line: 2 });
    expect(duckdbErrorPosition(new Error("Binder Error: x\n\nLINE 1: \t'x', nosuch\n" + ' '.repeat(13) + '^'))).toEqual({ line: 1 });
    expect(duckdbErrorPosition(new Error('Parser Error: syntax error at end of input'))).toBeUndefined();
    expect(duckdbErrorPosition('LINE 3: x\n        ^')).toBeUndefined();
  });

  it("Postgres: the server's position, a count of characters from 1", () => {
    expect(postgresErrorPosition(Object.assign(new Error('column "x" does not exist'), { position: '42' }))).toEqual({ offset: 41 });
    expect(postgresErrorPosition(new Error('division by zero'))).toBeUndefined();
    expect(postgresErrorPosition(Object.assign(new Error('e'), { position: '' }))).toBeUndefined();
  });

  it('BigQuery: [line:column] at the end of its message', () => {
    expect(bigqueryErrorPosition(new Error('Unrecognized name: nosuch_x; Did you mean n? at [12:9]'))).toEqual({ line: 12, column: 9 });
    expect(bigqueryErrorPosition(new Error('Syntax error: Unexpected end of script at [3:1]'))).toEqual({ line: 3, column: 1 });
    expect(bigqueryErrorPosition(new Error('Division by zero: 1 / 0'))).toBeUndefined();
  });

  it('Snowflake: a line from 1 and a position in it from 0', () => {
    expect(snowflakeErrorPosition(new Error("SQL compilation error: error line 12 at position 8\ninvalid identifier 'NOSUCH_X'"))).toEqual({ line: 12, column: 9 });
    expect(snowflakeErrorPosition(new Error("SQL compilation error:\nsyntax error line 1 at position 0 unexpected 'selec'."))).toEqual({ line: 1, column: 1 });
    expect(snowflakeErrorPosition(new Error('Numeric value \'abc\' is not recognized'))).toBeUndefined();
  });
});

describe('the place in the step file', () => {
  // a file of two statements after a comment, the second repeating the first's text
  const first = 'create table a as\nselect 1 as x';
  const second = 'select 1 as x';
  const file = `-- a comment\n${first};\n\n  ${second};\n`;
  it('counts the lines and columns before the statement', () => {
    expect(locateInFile(file, [first, second], 0, { offset: 0 })).toEqual({ line: 2, column: 1 });
    expect(locateInFile(file, [first, second], 0, { offset: 25 })).toEqual({ line: 3, column: 8 }); // "1" of "select 1"
    expect(locateInFile(file, [first, second], 0, { line: 2, column: 8 })).toEqual({ line: 3, column: 8 });
    // the second statement is found after the first, not in it; its first line is indented by 2
    expect(locateInFile(file, [first, second], 1, { offset: 7 })).toEqual({ line: 5, column: 10 });
    expect(locateInFile(file, [first, second], 1, { line: 1, column: 8 })).toEqual({ line: 5, column: 10 });
    expect(locateInFile(file, [first, second], 1, { line: 1 })).toEqual({ line: 5 });
  });

  it("counts characters as Postgres does, a character outside the BMP as one", () => {
    const statement = "select '😀', nosuch";
    expect(locateInFile(`${statement};\n`, [statement], 0, { offset: 12 })).toEqual({ line: 1, column: 13 });
  });

  it('gives no place for a statement not in the file', () => {
    expect(locateInFile(file, ['select 2'], 0, { offset: 0 })).toBeUndefined();
  });
});

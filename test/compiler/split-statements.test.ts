// The write and setup steps are files of `;`-terminated statements, run one by one: a statement ends
// at a `;` that ends a line, but not inside a Postgres dollar-quoted body, and a `$` inside a name
// ("hs$v2$", a valid schema) opens no quote.
import { expect, it } from 'vitest';
import { splitStatements } from '../../src/compiler/compile.js';
import { postgres } from '../../src/dialects/postgres.js';

it('splits at a `;` ending a line, whatever the line break, and drops leading comments', () => {
  expect(splitStatements('-- one\ndelete from t;\r\n\r\ninsert into t select 1;\n-- two\nselect 2 ; \n')).toEqual(['delete from t', 'insert into t select 1', 'select 2']);
});

it('keeps a dollar-quoted body whole, and opens no quote inside a name', () => {
  const sql = `delete from "hs$v2$"."m";\n\ndo $x$\nbegin\n    perform 1;\n    perform 2;\nend\n$x$;\n\ninsert into "hs$v2$"."t" select 1;\n`;
  expect(splitStatements(sql)).toEqual(['delete from "hs$v2$"."m"', 'do $x$\nbegin\n    perform 1;\n    perform 2;\nend\n$x$', 'insert into "hs$v2$"."t" select 1']);
});

it("renders Postgres's replaceTable with a tag its body does not hold", () => {
  const [statement] = postgres.replaceTable('"s$hindsight$x"."m__evaluations"', '"s$hindsight$x"."hs_m__evaluations_1"', '"m__evaluations"');
  const tag = /^do (\$\w*\$)\n/.exec(statement!)![1]!;
  expect(tag).not.toBe('$hindsight$');
  expect(statement!.endsWith(`\n${tag}`)).toBe(true);
  expect(statement!.split(tag)).toHaveLength(3); // the opening and the closing tag only
  expect(splitStatements(`${statement};\n\nselect 1;\n`)).toEqual([statement, 'select 1']);
});

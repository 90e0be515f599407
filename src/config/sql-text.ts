// The end of a piece of the team's SQL (a `sql:` query, a `where:` condition), read token by token:
// strings, quoted names, dollar quotes and comments are skipped whole, so that a `;` or `--` in them is
// text (`like '%;--%'`), in one pass (a regular expression of comments backtracked exponentially).

const NAME_CHAR = /[A-Za-z0-9_$]/;

/**
 * Where the last token of `sql` ends: the last character that is not in a comment, whitespace or a
 * semicolon, plus one (0 when there is none); and whether a string or quoted name is still open at
 * the end. `backslashEscapes`: a backslash in a string escapes the next character, as in BigQuery
 * and Snowflake, not as in DuckDB and Postgres.
 */
function lastTokenEnd(sql: string, backslashEscapes: boolean): { end: number; open: boolean; depth: number; closedUnopened: boolean } {
  let end = 0;
  let open = false;
  // parentheses outside strings, quoted names and comments
  let depth = 0;
  let closedUnopened = false;
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
      continue;
    }
    const dollar = c === '$' && !NAME_CHAR.test(sql[i - 1] ?? ' ') ? /^\$[A-Za-z_0-9]*\$/.exec(sql.slice(i)) : null;
    if (dollar) {
      // $$…$$ or $tag$…$tag$ (Postgres, Snowflake)
      const close = sql.indexOf(dollar[0], i + dollar[0].length);
      open = close < 0;
      i = end = close < 0 ? sql.length : close + dollar[0].length;
    } else if (c === "'" || c === '"' || c === '`') {
      // a quoted string or name, to its closing quote (a doubled quote is one quote in it)
      let j = i + 1;
      for (;;) {
        while (j < sql.length && sql[j] !== c) j += backslashEscapes && sql[j] === '\\' ? 2 : 1;
        if (sql[j + 1] !== c) break;
        j += 2;
      }
      open = j >= sql.length;
      i = end = Math.min(j + 1, sql.length);
    } else {
      i++;
      if (c !== ';' && !/\s/.test(c)) end = i;
      if (c === '(') depth++;
      else if (c === ')' && --depth < 0) {
        closedUnopened = true;
        depth = 0;
      }
    }
  }
  return { end, open, depth, closedUnopened };
}

/**
 * The team's SQL minus what follows its last token: semicolons, whitespace and comments
 * (`…; -- production only`), which would otherwise stand inside the parentheses hindsight puts it in
 * (a trailing `-- comment` swallowed a `where:`'s closing one). Where a backslash decides where a
 * string ends (`'\'`, `'it\'s'`), which depends on the warehouse, the reading that closes every
 * string is taken; where both or neither do, only trailing whitespace and semicolons go.
 */
export function cleanSql(sql: string | undefined): string | undefined {
  if (sql === undefined) return undefined;
  const [escaped, plain] = [lastTokenEnd(sql, true), lastTokenEnd(sql, false)];
  const reading = escaped.end === plain.end ? escaped : escaped.open !== plain.open ? (escaped.open ? plain : escaped) : undefined;
  return reading ? sql.slice(0, reading.end).replace(/\s+$/, '') : sql.replace(/[\s;]+$/, '');
}

/**
 * What is wrong with the parentheses of a piece of the team's SQL, if anything: hindsight puts it in
 * parentheses of its own (`(<sql>) as source`, `where (<condition>)`), where a `)` that closes nothing
 * of its own closes hindsight's: `where: "a = 1) or (b = 2"` ran, as a condition other than the one
 * written (every row), where a warehouse would have refused it alone. Parentheses in strings, quoted
 * names and comments do not count; where a backslash decides where a string ends, only what both
 * readings say is reported.
 */
export function parenthesisProblem(sql: string): string | undefined {
  const readings = [lastTokenEnd(sql, true), lastTokenEnd(sql, false)];
  if (readings.some((r) => r.open)) return undefined; // (an unclosed string: the warehouse says so)
  if (readings.every((r) => r.closedUnopened)) return 'has a `)` that closes no `(` of its own';
  if (readings.every((r) => r.depth > 0)) return 'leaves a `(` unclosed';
  return undefined;
}

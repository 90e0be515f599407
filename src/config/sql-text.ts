// The end of a piece of the team's SQL (a `sql:` query, a `where:` condition), read token by token:
// strings, quoted names, dollar quotes and comments are skipped whole, so that a `;` or `--` in them is
// text (`like '%;--%'`), in one pass (a regular expression of comments backtracked exponentially).

const NAME_CHAR = /[A-Za-z0-9_$]/;

/**
 * How one warehouse's tokens are read, where they differ. `backslashEscapes`: a backslash in a string
 * escapes the next character (BigQuery, Snowflake), or only in an E'' string ('E': Postgres, DuckDB),
 * or never. The rest are off in the two readings cleanSql takes.
 */
interface Reading {
  backslashEscapes: boolean | 'E';
  /** a block comment may hold another, closed by its own star-slash (Postgres, DuckDB) */
  nestedComments?: boolean;
  /** `#` starts a comment to the end of the line (BigQuery; Postgres's XOR) */
  hashComments?: boolean;
  /** `//` starts a comment to the end of the line (Snowflake; DuckDB's integer division) */
  slashComments?: boolean;
  /** `'''…'''` and `"""…"""` are strings (BigQuery) */
  tripleQuotes?: boolean;
}

const ESCAPED: Reading = { backslashEscapes: true };
const PLAIN: Reading = { backslashEscapes: false };
/** Each warehouse's reading, by its profile `type` (a monitor file is compiled for any of them). */
const WAREHOUSES = {
  bigquery: { backslashEscapes: true, hashComments: true, tripleQuotes: true },
  snowflake: { backslashEscapes: true, slashComments: true },
  postgres: { backslashEscapes: 'E', nestedComments: true },
  duckdb: { backslashEscapes: 'E', nestedComments: true },
} satisfies Record<string, Reading>;
export type Warehouse = keyof typeof WAREHOUSES;

/** What parenthesisProblem's message goes on with: why it matters. */
export const WRAPPED = 'hindsight puts it in parentheses of its own, which it would close or leave open';

/**
 * Where the last token of `sql` ends: the last character that is not in a comment, whitespace or a
 * semicolon, plus one (0 when there is none); whether a string or quoted name is still open at the
 * end; and the parentheses outside strings, quoted names and comments: how many are left open, and
 * whether a `)` closed none.
 */
function lastTokenEnd(sql: string, reading: Reading): { end: number; open: boolean; depth: number; closedUnopened: boolean } {
  let end = 0;
  let open = false;
  let depth = 0;
  let closedUnopened = false;
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if ((c === '-' && sql[i + 1] === '-') || (c === '#' && reading.hashComments) || (c === '/' && sql[i + 1] === '/' && reading.slashComments)) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      if (!reading.nestedComments) {
        const close = sql.indexOf('*/', i + 2);
        i = close < 0 ? sql.length : close + 2;
        continue;
      }
      let level = 1;
      for (i += 2; i < sql.length && level > 0; ) {
        if (sql[i] === '/' && sql[i + 1] === '*') [level, i] = [level + 1, i + 2];
        else if (sql[i] === '*' && sql[i + 1] === '/') [level, i] = [level - 1, i + 2];
        else i++;
      }
      continue;
    }
    const dollar = c === '$' && !NAME_CHAR.test(sql[i - 1] ?? ' ') ? /^\$[A-Za-z_0-9]*\$/.exec(sql.slice(i)) : null;
    const triple = reading.tripleQuotes && (c === "'" || c === '"') && sql.startsWith(c.repeat(3), i) ? c.repeat(3) : undefined;
    if (dollar) {
      // $$…$$ or $tag$…$tag$ (Postgres, Snowflake)
      const close = sql.indexOf(dollar[0], i + dollar[0].length);
      open = close < 0;
      i = end = close < 0 ? sql.length : close + dollar[0].length;
    } else if (triple) {
      // '''…''' or """…""" (BigQuery), to the first unescaped three quotes
      let j = i + 3;
      while (j < sql.length && !sql.startsWith(triple, j)) j += sql[j] === '\\' ? 2 : 1;
      open = j >= sql.length;
      i = end = Math.min(j + 3, sql.length);
    } else if (c === "'" || c === '"' || c === '`') {
      // a quoted string or name, to its closing quote (a doubled quote is one quote in it)
      const escapes = reading.backslashEscapes === 'E' ? c === "'" && /^[Ee]$/.test(sql[i - 1] ?? '') && !NAME_CHAR.test(sql[i - 2] ?? ' ') : reading.backslashEscapes;
      let j = i + 1;
      for (;;) {
        while (j < sql.length && sql[j] !== c) j += escapes && sql[j] === '\\' ? 2 : 1;
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
  const [escaped, plain] = [lastTokenEnd(sql, ESCAPED), lastTokenEnd(sql, PLAIN)];
  const reading = escaped.end === plain.end ? escaped : escaped.open !== plain.open ? (escaped.open ? plain : escaped) : undefined;
  return reading ? sql.slice(0, reading.end).replace(/\s+$/, '') : sql.replace(/[\s;]+$/, '');
}

/**
 * What is wrong with the parentheses of a piece of the team's SQL, if anything: hindsight puts it in
 * parentheses of its own (`(<sql>) as source`, `where (<condition>)`), where a `)` that closes nothing
 * of its own closes hindsight's: `where: "a = 1) or (b = 2"` ran, as a condition other than the one
 * written (every row), where a warehouse would have refused it alone. Parentheses in strings, quoted
 * names and comments do not count. Read for one `warehouse`, as it reads the text; else, where the
 * warehouses read it apart (a backslash in a string; BigQuery's `#` comments and '''…''' strings,
 * Snowflake's `//` comments, Postgres's and DuckDB's nested comments), only what every reading says
 * is reported (loadProject, which knows no target): each of those hid a `(` or `)` of a query its
 * warehouse runs, which was refused. The target's own reading is checked once it is known
 * (loadProjectAndTarget): `a = 1 // 1) or (b = 2` is a comment's `)` to Snowflake, and on DuckDB,
 * where `//` divides, it widened the condition to every row with b = 2 (`#`, Postgres's XOR, alike).
 */
export function parenthesisProblem(sql: string, warehouse?: Warehouse): string | undefined {
  const readings = (warehouse ? [WAREHOUSES[warehouse]] : [ESCAPED, PLAIN, ...Object.values(WAREHOUSES)]).map((r) => lastTokenEnd(sql, r as Reading));
  if (readings.some((r) => r.open)) return undefined; // (an unclosed string: the warehouse says so)
  if (readings.every((r) => r.closedUnopened)) return 'has a `)` that closes no `(` of its own';
  if (readings.every((r) => r.depth > 0)) return 'leaves a `(` unclosed';
  return undefined;
}

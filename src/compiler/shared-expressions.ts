// Common table expressions read more than once, computed once where the warehouse would not.
//
// BigQuery runs a non-recursive CTE once per reference, and everything it reads with it: run as
// rendered, the binary metric step would read the evaluations table 2,375 times (its 19 metric rows
// each read `named_groups`, which reads `summary`, …; bench/prototypes/cte-reads.ts counts this).
// For a warehouse without `reusesCommonTableExpressions`, a step's CTEs that are referenced twice or
// more and read a table are built as session tables first, in order, and the step reads those.
// Every other CTE is inlined in the one statement that reads it, so each one runs once.
//
// This works on the layout hindsight's templates render, never on user SQL: each top-level CTE
// opens with `name as (` at the start of a line (`with name as (` for the first) and closes with a
// line `)` or `),`; references are `from name` and `join name`.

const CTE_OPEN = /^(?:with\s+)?([a-z_][a-z0-9_]*) as \($/;
// a relation after FROM or JOIN: a CTE name, or a quoted or qualified table name
const REFERENCE = /\b(?:from|join)\s+((?:[`"][^`"]+[`"]|[a-z_][a-z0-9_$]*)(?:\.(?:[`"][^`"]+[`"]|[a-z_][a-z0-9_$]*))*)/gi;

export interface RenderedQuery {
  /** Comment lines before the WITH. */
  header: string;
  ctes: { name: string; body: string }[];
  /** The final SELECT. */
  main: string;
}

/** Splits a rendered query into its top-level CTEs and final SELECT; undefined if it has no WITH. */
export function parseRenderedQuery(sql: string): RenderedQuery | undefined {
  const header: string[] = [];
  const ctes: { name: string; body: string }[] = [];
  const main: string[] = [];
  let open: { name: string; lines: string[] } | undefined;
  for (const line of sql.replace(/\n+$/, '').split('\n')) {
    const start = CTE_OPEN.exec(line);
    if (open) {
      if (line === ')' || line === '),') {
        ctes.push({ name: open.name, body: open.lines.join('\n') });
        open = undefined;
      } else {
        open.lines.push(line);
      }
    } else if (start && (ctes.length > 0 || line.startsWith('with '))) {
      open = { name: start[1]!, lines: [] };
    } else if (ctes.length === 0) {
      header.push(line);
    } else {
      main.push(line);
    }
  }
  if (open || ctes.length === 0) return undefined;
  return { header: header.join('\n'), ctes, main: main.join('\n').replace(/^\n+/, '') };
}

/** The relations a piece of SQL reads with FROM or JOIN, as written, once per reference. */
export function references(sql: string): string[] {
  return [...sql.replace(/--[^\n]*/g, '').matchAll(REFERENCE)].map((m) => m[1]!);
}

/** Table name (as written) → times read, when every CTE reference runs that CTE again. */
export function expandedReads(sql: string): Map<string, number> {
  const query = parseRenderedQuery(sql);
  const bodies = new Map((query?.ctes ?? []).map((c) => [c.name, c.body]));
  const memo = new Map<string, Map<string, number>>();
  const readsOf = (body: string): Map<string, number> => {
    const reads = new Map<string, number>();
    const add = (name: string, n: number) => reads.set(name, (reads.get(name) ?? 0) + n);
    for (const name of references(body)) {
      const cte = bodies.get(name);
      if (cte !== undefined) {
        // a CTE reads only the ones before it; the placeholder ends a self-reference
        if (!memo.has(name)) memo.set(name, new Map()).set(name, readsOf(cte));
        for (const [table, n] of memo.get(name)!) add(table, n);
      } else if (/[`".]/.test(name)) {
        add(name, 1);
      }
    }
    return reads;
  };
  return readsOf(query ? query.main : sql);
}

export interface SharedExpressions {
  /** Session tables to build first, in order: name and the SELECT that fills it. */
  tables: { name: string; select: string }[];
  /** The step's query, reading those tables instead of the CTEs. */
  query: string;
}

export interface ShareOptions {
  /** The session table of a CTE, unquoted. */
  tableName: (cte: string) => string;
  quote: (name: string) => string;
  /**
   * The monitor's own SQL (`sql:` sources, `where:` filters), which the query may hold: if it reads
   * a relation named like one of the step's CTEs, its references cannot be told from the step's,
   * and the query is left as it is.
   */
  userSql: string[];
}

/**
 * Moves each CTE that is referenced more than once and reads a table into a session table. A query
 * without such a CTE comes back unchanged, with no tables.
 */
export function shareExpressions(sql: string, { tableName, quote, userSql }: ShareOptions): SharedExpressions {
  const query = parseRenderedQuery(sql);
  if (!query) return { tables: [], query: sql };
  const names = new Set(query.ctes.map((c) => c.name));
  if (userSql.some((text) => references(text).some((r) => names.has(r)))) return { tables: [], query: sql };
  const uses = new Map<string, number>();
  for (const part of [...query.ctes.map((c) => c.body), query.main]) {
    for (const name of references(part)) if (names.has(name)) uses.set(name, (uses.get(name) ?? 0) + 1);
  }
  // a CTE reads a table if it names one or reads a CTE that does
  const readsTable = new Set<string>();
  for (const c of query.ctes) {
    if (references(c.body).some((r) => readsTable.has(r) || (!names.has(r) && /[`".]/.test(r)))) readsTable.add(c.name);
  }
  const shared = new Set(query.ctes.filter((c) => (uses.get(c.name) ?? 0) > 1 && readsTable.has(c.name)).map((c) => c.name));
  if (shared.size === 0) return { tables: [], query: sql };

  // `from cells` / `join cells as c` → `from <table> as cells` / `join <table> as c`
  const readShared = (body: string) =>
    body.replace(/\b(from|join)(\s+)([a-z_][a-z0-9_]*)\b(\s+as\b)?/gi, (match, verb: string, space: string, name: string, alias: string | undefined) =>
      shared.has(name) ? `${verb}${space}${quote(tableName(name))}${alias ?? ` as ${name}`}` : match,
    );
  const bodies = new Map(query.ctes.map((c) => [c.name, readShared(c.body)]));
  // the inlined CTEs a statement needs, in their original order
  const statement = (main: string): string => {
    const needed = new Set<string>();
    const visit = (body: string) => {
      for (const r of references(body)) {
        if (names.has(r) && !shared.has(r) && !needed.has(r)) {
          needed.add(r);
          visit(bodies.get(r)!);
        }
      }
    };
    visit(main);
    const ctes = query.ctes.filter((c) => needed.has(c.name));
    if (ctes.length === 0) return main;
    return `with ${ctes.map((c) => `${c.name} as (\n${bodies.get(c.name)}\n)`).join(',\n\n')}\n\n${main}`;
  };
  return {
    tables: query.ctes.filter((c) => shared.has(c.name)).map((c) => ({ name: tableName(c.name), select: statement(bodies.get(c.name)!.replace(/^\n+/, '')) })),
    query: `${query.header ? `${query.header}\n` : ''}${statement(readShared(query.main))}`,
  };
}

// A ZetaSQL analyzer (Google's GoogleSQL front end, or Fivetran's Snowflake fork of it) running as a
// local gRPC server. Semantic analysis resolves every name, function signature and type, so a
// statement that analyzes clean is valid SQL over the catalog it was given. The catalog is sent
// inline with each request and grows as statements create tables, the way a session would.
import { createServer } from 'node:net';
import type { SourceTable } from './cases.js';

type Zetasql = typeof import('@fivetrandevelopers/zetasql');
type TypeProto = { typeKind: string | number };

const STATEMENT_KINDS = [
  'RESOLVED_QUERY_STMT', 'RESOLVED_CREATE_SCHEMA_STMT', 'RESOLVED_CREATE_TABLE_STMT', 'RESOLVED_CREATE_TABLE_AS_SELECT_STMT',
  'RESOLVED_DROP_STMT', 'RESOLVED_DELETE_STMT', 'RESOLVED_INSERT_STMT', 'RESOLVED_UPDATE_STMT',
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The first value under `key` anywhere in a resolved-AST object. */
function find(node: unknown, key: string): unknown {
  if (!node || typeof node !== 'object') return undefined;
  if (key in node) return (node as Record<string, unknown>)[key];
  for (const child of Object.values(node)) {
    const found = find(child, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

export class Analyzer {
  private tables = new Map<string, { path: string[]; columns: { name: string; type: TypeProto }[] }>();

  private constructor(
    private zetasql: Zetasql,
    private languageOptions: Record<string, unknown>,
  ) {}

  /** Starts the server of `pkg`; both packages have the same client API. */
  static async start(pkg: '@fivetrandevelopers/zetasql' | '@fivetrandevelopers/zetasql-snowflake'): Promise<Analyzer> {
    const zetasql = ((await import(pkg)) as { default: Zetasql }).default;
    const port = await freePort();
    void zetasql.runServer(port); // never settles; the server runs until stop()
    zetasql.ZetaSQLClient.init(port);
    if (!(await zetasql.ZetaSQLClient.getInstance().testConnection())) throw new Error(`${pkg}: the analyzer server did not start`);
    // Every language feature (the analyzer's defaults are an old, narrow GoogleSQL), in
    // PRODUCT_EXTERNAL mode: BigQuery's type names (FLOAT64, not DOUBLE) and function set.
    const features = (await new zetasql.LanguageOptions().enableMaximumLanguageFeatures()).serialize();
    const languageOptions = { ...features, productMode: 'PRODUCT_EXTERNAL', supportedStatementKinds: STATEMENT_KINDS };
    return new Analyzer(zetasql, languageOptions);
  }

  stop(): void {
    this.zetasql.terminateServer();
  }

  addTable(path: string[], columns: { name: string; type: TypeProto }[]): void {
    this.tables.set(path.join('.').toLowerCase(), { path, columns });
  }

  addSources(sources: SourceTable[]): void {
    for (const t of sources) this.addTable(t.path, t.columns.map(([name, kind]) => ({ name, type: { typeKind: `TYPE_${kind}` } })));
  }

  private catalog() {
    type Catalog = { name: string; table: unknown[]; catalog: Catalog[] };
    const root: Catalog & Record<string, unknown> = {
      name: 'root',
      table: [],
      catalog: [],
      builtinFunctionOptions: { languageOptions: this.languageOptions },
    };
    for (const { path, columns } of this.tables.values()) {
      let at: Catalog = root;
      for (const part of path.slice(0, -1)) {
        let sub = at.catalog.find((c) => c.name === part);
        if (!sub) at.catalog.push((sub = { name: part, table: [], catalog: [] }));
        at = sub;
      }
      at.table.push({ name: path.at(-1), column: columns });
    }
    return root;
  }

  /**
   * Evaluates one expression with no table (`cast('nan' as float64) between 0 and 1`) by ZetaSQL's
   * reference implementation of GoogleSQL: its value as a ValueProto (`{ doubleValue: 0.5 }`, `{}` for
   * NULL), or the error the evaluation stops with, as thrown.
   */
  async evaluate(sql: string): Promise<{ value: Record<string, unknown> } | { error: string }> {
    type Api = { evaluate(request: unknown, callback: (err: { details?: string } | null, response?: { value: Record<string, unknown> }) => void): void };
    const api = (this.zetasql.ZetaSQLClient as unknown as { API: Api }).API;
    return new Promise((resolve) =>
      api.evaluate({ sql, options: { languageOptions: this.languageOptions } }, (err, response) =>
        resolve(err ? { error: err.details ?? String(err) } : { value: response?.value ?? {} }),
      ),
    );
  }

  /**
   * Analyzes one statement; returns the analyzer's error (with the offending line) or undefined.
   * A statement that creates a table adds it, with its resolved columns, to the catalog.
   */
  async analyze(sql: string): Promise<string | undefined> {
    const client = this.zetasql.ZetaSQLClient.getInstance();
    let response;
    try {
      response = await client.analyze({
        sqlStatement: sql,
        simpleCatalog: this.catalog(),
        options: { languageOptions: this.languageOptions, errorMessageMode: 'ERROR_MESSAGE_ONE_LINE' },
      } as never);
    } catch (e) {
      const message = (e as { details?: string }).details ?? String(e);
      const at = /\[at (\d+):(\d+)\]/.exec(message);
      const line = at ? sql.split('\n')[Number(at[1]) - 1]?.trim() : undefined;
      return line ? `${message}\n    near: ${line}` : message;
    }
    const definitions = find(response?.resolvedStatement, 'columnDefinitionList') as { name: string; type: TypeProto }[] | undefined;
    const namePath = find(response?.resolvedStatement, 'namePath') as string[] | undefined;
    if (definitions && namePath) this.addTable(namePath, definitions.map((c) => ({ name: c.name, type: { typeKind: c.type.typeKind } })));
    return undefined;
  }
}

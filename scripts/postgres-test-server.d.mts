// Types for postgres-test-server.mjs, so TypeScript (strict) can import it.

export interface PostgresTestServer {
  /** e.g. postgres://postgres@127.0.0.1:54321/hindsight_test (trust auth, no password) */
  url: string;
  port: number;
  database: string;
  /** temp dir holding the data dir, the unix socket and the server log; deleted by stop */
  baseDir: string;
  dataDir: string;
  binDir: string;
  logFile: string;
}

export interface StartPostgresOptions {
  /** database to create; default hindsight_test */
  database?: string;
  /**
   * Let the server outlive this process (the CLI does). Default false: the server is a child of
   * this process, so stopPostgres must be called from here to reap it.
   */
  detached?: boolean;
  /** progress messages; default: console.error */
  log?: (message: string) => void;
}

export function startPostgres(options?: StartPostgresOptions): Promise<PostgresTestServer>;
export function stopPostgres(server: Pick<PostgresTestServer, 'baseDir' | 'dataDir' | 'binDir'>): Promise<void>;

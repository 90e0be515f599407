// A throwaway PostgreSQL server for the benchmark: the test suite's own start/stop
// (scripts/postgres-test-server.mjs), then settings a server used for analytics would have.
// Every contender (lower bound, hindsight, extract) runs against the same settings.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres, stopPostgres, type PostgresTestServer } from '../scripts/postgres-test-server.mjs';

/** ALTER SYSTEM settings applied after start (shared_buffers would need a restart: left at 128MB). */
export const POSTGRES_SETTINGS: Record<string, string> = {
  work_mem: '256MB',
  maintenance_work_mem: '1GB',
  // hindsight's steps are temporary tables, which live in each session's temp_buffers (default 8MB)
  temp_buffers: '1GB',
  max_parallel_workers_per_gather: '2',
};

export async function startBenchPostgres(log: (m: string) => void): Promise<PostgresTestServer> {
  const server = await startPostgres({ log });
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  for (const [k, v] of Object.entries(POSTGRES_SETTINGS)) await client.query(`alter system set ${k} = '${v}'`);
  await client.query('select pg_reload_conf()');
  await client.end();
  return server;
}

export { stopPostgres };

export async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const r = await client.query('show server_version');
  await client.end();
  return String(r.rows[0].server_version);
}

export function postgresOutput(url: string) {
  const u = new URL(url);
  return {
    type: 'postgres' as const,
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    dbname: u.pathname.slice(1),
  };
}

/**
 * CPU seconds used so far by a Postgres server: every live process of it (postmaster, backends,
 * parallel workers, background processes) plus what the postmaster has reaped from exited children.
 * A backend's CPU is counted even after its client disconnects. Read from /proc (Linux).
 */
export function postgresCpuSeconds(dataDir: string): number {
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const tick = 100; // USER_HZ
  const fields = (p: number) => {
    const text = readFileSync(`/proc/${p}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  };
  const own = fields(pid);
  // utime 14, stime 15, cutime 16, cstime 17 (1-based) -> index 11..14 after the state field
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = fields(Number(entry));
      if (Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return ticks / tick;
}

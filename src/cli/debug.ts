// `hindsight debug`, like `dbt debug`: checks the project, the profile, the connection (as many
// sessions as `threads` opens), the right to write in the output schema and every monitor's columns,
// and says in plain words what is wrong.
import { connect, ConnectionError, GENERIC_HINT, openSession } from '../adapters/connect.js';
import type { Adapter } from '../adapters/index.js';
import { findProfiles, loadProjectAndTarget, loadTarget, projectForTarget, type Project, type Target } from '../config/load.js';
import { monitorAsOf, type Monitor } from '../config/monitor.js';
import { ConfigError, warehouseSaid } from '../errors.js';
import { monitorTableName } from '../compiler/names.js';
import { checkColumns } from '../runner/columns.js';
import { parseAsOf } from './as-of.js';
import { selectMonitors } from './commands.js';
import { dotted } from './output.js';

/** `configuration`: a problem of the project's files (exit 2, as `run` exits), not of the warehouse. */
type Check = { name: string; ok: boolean; detail: string; configuration?: boolean };

const VERSION_QUERY: Record<string, string> = {
  duckdb: 'select version() as version',
  postgres: 'select version() as version',
};

export async function debug(options: { projectDir: string; profilesDir?: string; target?: string; select?: string[]; exclude?: string[]; debug?: boolean }): Promise<number> {
  const checks: Check[] = [];
  const report = (c: Check) => {
    checks.push(c);
    process.stdout.write(`${dotted(`  ${c.name}`, c.ok ? 'OK' : 'ERROR', 40)}  ${c.detail}\n`);
  };
  process.stdout.write(`hindsight debug: ${options.projectDir}\n`);
  let project: Project;
  let target: Target;
  let monitors: Monitor[];
  try {
    ({ project, target } = loadProjectAndTarget(options.projectDir, options));
    monitors = selectMonitors(project, options); // (-s, --exclude: the monitors whose columns are checked)
    report({ name: 'project', ok: true, detail: `${project.config.name}, ${project.monitors.length} monitor(s)` });
    report({ name: 'profile', ok: true, detail: `${findProfiles(project.dir, options.profilesDir)}/profiles.yml: profile ${target.profile}, target ${target.name} (${target.output.type})` });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    report({ name: 'configuration', ok: false, detail: `${e.issues.length} error(s):\n${e.message}`, configuration: true });
    // As dbt debug, the connection is checked even so, when the profile and target can be read.
    const alone = projectForTarget(options.projectDir);
    const found = alone && tryLoadTarget(alone, options);
    if (!alone || !found) return 2;
    [project, target, monitors] = [alone, found, []];
  }
  let adapter: Adapter;
  try {
    adapter = await connect(target, { attempts: 1 });
  } catch (e) {
    // the generic hint sends people to `hindsight debug`, which is where they are; with --debug, the
    // driver's error follows in full
    const full = options.debug ? `\n${fullError(e instanceof ConnectionError ? e.cause : e)}` : '';
    const detail = e instanceof ConnectionError ? e.message.replace(GENERIC_HINT, options.debug ? 'The driver said:' : 'Add --debug for the full error.') + full : String(e) + full;
    report({ name: 'connection', ok: false, detail });
    return 1;
  }
  try {
    const query = VERSION_QUERY[target.output.type];
    const version = query ? (String((await adapter.query(query))[0]?.version ?? '').split(' on ')[0] ?? '') : 'connected';
    report({ name: 'connection', ok: true, detail: version });
    await checkThreads(target, adapter, report);
    const rights = target.output.type === 'postgres' && project.config.schema ? await postgresRights(project, monitors, adapter) : undefined;
    if (project.config.schema) await checkSchema(project, adapter, report, rights?.incrementalOnly);
    for (const check of rights?.checks ?? []) report(check);
    for (const monitor of monitors) {
      try {
        // (read as a run now would read them: below now on their time columns)
        await checkColumns(adapter, monitor, monitorAsOf(monitor, parseAsOf(undefined)));
        report({ name: `monitor ${monitor.name}`, ok: true, detail: 'every configured column is in its source' });
      } catch (e) {
        report({ name: `monitor ${monitor.name}`, ok: false, detail: e instanceof ConfigError ? `\n${e.message}` : String(e), configuration: e instanceof ConfigError });
      }
    }
  } finally {
    await adapter.close();
  }
  const failed = checks.filter((c) => !c.ok);
  process.stdout.write(failed.length ? `${failed.length} check(s) failed.\n` : 'All checks passed.\n');
  // a configured column missing from its source is a configuration error, as `run` says (exit 2)
  return failed.length === 0 ? 0 : failed.every((c) => c.configuration) ? 2 : 1;
}

/** An error as the driver gave it: its stack (which starts with its message), else its text. */
function fullError(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** The target, or undefined when profiles.yml has problems of its own (already reported with the configuration's). */
function tryLoadTarget(project: Project, options: { profilesDir?: string; target?: string }): Target | undefined {
  try {
    return loadTarget(project, options);
  } catch (e) {
    if (e instanceof ConfigError) return undefined;
    throw e;
  }
}

/**
 * Whether the user can create hindsight's tables: a probe table is created in the output schema and
 * removed. Where DDL is transactional (DuckDB, Postgres) that happens in a transaction rolled back;
 * elsewhere DDL commits at once (Snowflake) or is refused inside a transaction (BigQuery), so the
 * schema is created as `run` would create it and the probe, named for this process, is dropped.
 */
async function checkSchema(project: Project, adapter: Adapter, report: (c: Check) => void, incrementalOnly?: boolean): Promise<void> {
  const d = adapter.dialect;
  const schema = d.quote(project.config.schema);
  const probe = `${schema}.${d.quote(`hindsight_debug_probe_${process.pid}`)}`;
  const transactional = d.capabilities.transactionalDdl;
  let created = false;
  try {
    if (transactional) await adapter.execute('begin');
    await adapter.execute(`create schema if not exists ${schema}`);
    await adapter.execute(`create table ${probe} (x ${d.types.integer})`);
    created = true;
    const how = transactional ? 'checked in a transaction, rolled back' : 'a probe table created and dropped';
    report({ name: `schema ${project.config.schema}`, ok: true, detail: `can create tables (${how})` });
  } catch (e) {
    // (a role given select, insert, update and delete on hindsight's existing tables runs incrementally)
    if (incrementalOnly) report({ name: `schema ${project.config.schema}`, ok: true, detail: `cannot create tables (${warehouseSaid(e, 120)}): its monitors' tables exist, and runs are incremental only` });
    else report({ name: `schema ${project.config.schema}`, ok: false, detail: `cannot create tables: ${warehouseSaid(e)}. Grant this user CREATE on the database or schema, or set \`schema:\` in hindsight.yml to one it owns.` });
  } finally {
    if (transactional) await adapter.execute('rollback').catch(() => undefined);
    else if (created) {
      await adapter.execute(`drop table if exists ${probe}`).catch((e: unknown) => {
        report({ name: `schema ${project.config.schema}`, ok: false, detail: `cannot drop the probe table ${probe} it created: ${warehouseSaid(e)}. Drop it by hand.` });
      });
    }
  }
}

/**
 * Postgres: what each monitor's runs need of the role besides creating tables (README, the rights a
 * Postgres role needs). An incremental run reads and writes hindsight's existing tables (select,
 * insert, update, delete); a full refresh renames its staged table over the evaluations table, which
 * the role must own (or be a member of its owner). A monitor whose tables are missing has a full
 * refresh first, which creates them (the schema check). `incrementalOnly`: every selected monitor's
 * tables exist and can be written, so a role that cannot create tables still runs.
 */
async function postgresRights(project: Project, monitors: Monitor[], adapter: Adapter): Promise<{ checks: Check[]; incrementalOnly: boolean }> {
  const d = adapter.dialect;
  const schema = project.config.schema;
  const own = (m: Monitor) => [monitorTableName(m.name, 'evaluations'), ...(m.forecast ? [monitorTableName(m.name, 'mase_history')] : [])];
  // (Postgres keeps a name's first 63 bytes; hindsight's names are ASCII)
  const stored = (name: string) => name.slice(0, 63);
  const names = [...new Set(['hindsight_metrics', 'hindsight_runs', ...monitors.flatMap(own)].map(stored))];
  // (has_table_privilege is true when any one of several listed privileges is held: one call each;
  // and it does not look at the schema, whose USAGE reaching the table needs)
  const rows = await adapter.query(`select c.relname as name, pg_get_userbyid(c.relowner) as owner, pg_has_role(c.relowner, 'USAGE') as owns,
    has_schema_privilege(n.oid, 'usage') and ${['select', 'insert', 'update', 'delete'].map((p) => `has_table_privilege(c.oid, '${p}')`).join(' and ')} as writes
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = ${d.string(schema)} and c.relname in (${names.map((n) => d.string(n)).join(', ')})`);
  const table = new Map(rows.map((r) => [String(r.name), { owner: String(r.owner), owns: r.owns === true, writes: r.writes === true }]));
  const checks: Check[] = [];
  let incrementalOnly = monitors.length > 0;
  for (const monitor of monitors) {
    const tables = ['hindsight_metrics', 'hindsight_runs', ...own(monitor)];
    const missing = tables.filter((t) => !table.has(stored(t)));
    if (missing.length) {
      incrementalOnly = false;
      checks.push({ name: `rights ${monitor.name}`, ok: true, detail: `${missing.join(', ')} not there yet: its first run is a full refresh, which creates them (the schema check)` });
      continue;
    }
    const unwritable = tables.filter((t) => !table.get(stored(t))!.writes);
    const notOwned = own(monitor).filter((t) => !table.get(stored(t))!.owns);
    if (unwritable.length) incrementalOnly = false;
    const full = notOwned.length
      ? `a full refresh renames its staged table over ${notOwned.map((t) => `${schema}.${t} (owned by ${table.get(stored(t))!.owner})`).join(', ')}, which this role does not own: run a full refresh as its owner`
      : "full refresh (with the schema check's CREATE) and incremental runs";
    checks.push(unwritable.length
      ? { name: `rights ${monitor.name}`, ok: false, detail: `cannot run: it needs usage on schema ${schema} and select, insert, update and delete on ${unwritable.map((t) => `${schema}.${t}`).join(', ')}` }
      : { name: `rights ${monitor.name}`, ok: true, detail: full });
  }
  return { checks, incrementalOnly };
}

/**
 * `threads: N` opens N sessions at once: a server's or a role's connection limit (Postgres's
 * max_connections, CONNECTION LIMIT) would stop a run only after its first session was in.
 */
async function checkThreads(target: Target, adapter: Adapter, report: (c: Check) => void): Promise<void> {
  const threads = target.output.threads ?? 1;
  if (threads < 2) return;
  const sessions: Adapter[] = [];
  try {
    while (sessions.length < threads - 1) {
      const session = await openSession(target, adapter, { attempts: 1 });
      if (!session) break;
      sessions.push(session);
    }
    report({ name: 'threads', ok: true, detail: `${sessions.length + 1} sessions open at once` });
  } catch (e) {
    const detail = e instanceof ConnectionError ? e.message.replace(GENERIC_HINT, 'Lower threads, or raise the connection limit.') : String(e);
    report({ name: 'threads', ok: false, detail: `session ${sessions.length + 2} of ${threads}: ${detail}` });
  } finally {
    for (const session of sessions) await session.close().catch(() => undefined);
  }
}

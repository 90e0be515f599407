// `hindsight debug`, like `dbt debug`: checks the project, the profile, the connection (as many
// sessions as `threads` opens), the right to write in the output schema and every monitor's columns,
// and says in plain words what is wrong.
import { connect, ConnectionError, GENERIC_HINT, openSession } from '../adapters/connect.js';
import type { Adapter } from '../adapters/index.js';
import { findProfiles, loadProjectAndTarget, loadTarget, projectForTarget, type Project, type Target } from '../config/load.js';
import { monitorAsOf, type Monitor } from '../config/monitor.js';
import { ConfigError, warehouseSaid } from '../errors.js';
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

export async function debug(options: { projectDir: string; profilesDir?: string; target?: string; select?: string[]; exclude?: string[] }): Promise<number> {
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
    // the generic hint sends people to `hindsight debug`, which is where they are
    const detail = e instanceof ConnectionError ? e.message.replace(GENERIC_HINT, 'Add --debug for the full error.') : String(e);
    report({ name: 'connection', ok: false, detail });
    return 1;
  }
  try {
    const query = VERSION_QUERY[target.output.type];
    const version = query ? (String((await adapter.query(query))[0]?.version ?? '').split(' on ')[0] ?? '') : 'connected';
    report({ name: 'connection', ok: true, detail: version });
    await checkThreads(target, adapter, report);
    if (project.config.schema) await checkSchema(project, adapter, report);
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
async function checkSchema(project: Project, adapter: Adapter, report: (c: Check) => void): Promise<void> {
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
    report({ name: `schema ${project.config.schema}`, ok: false, detail: `cannot create tables: ${warehouseSaid(e)}. Grant this user CREATE on the database or schema, or set \`schema:\` in hindsight.yml to one it owns.` });
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

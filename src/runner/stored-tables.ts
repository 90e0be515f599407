// The monitor's permanent tables (its evaluations, a forecast's MASE history) against what a run
// writes to them: an incremental run adds to them only when their columns are the same; where DDL
// is not transactional they are made before the run's transaction.
import type { Adapter, Column } from '../adapters/index.js';
import type { PermanentTable } from '../compiler/compile.js';
import { monitorTableName, stagedTable } from '../compiler/names.js';

/**
 * An incremental run found a permanent table of the monitor whose columns are not those the run
 * writes to it: a table another version of hindsight wrote (or one changed by hand). Adding to it
 * would fail, or where DDL is not transactional replace it with an empty one and lose its history,
 * so the monitor is run again as a full refresh.
 */
export class StoredColumnsDiffer extends Error {
  constructor(differing: { reason: string }[]) {
    super(differing.map((t) => t.reason).join('; '));
  }
}

/**
 * Of the monitor's permanent tables (permanentTables), those missing or whose columns (names, order
 * and types) are not those of the query of what the run writes to them, each with what differs. With
 * `stored` (an incremental run, whose plan read them), a table that cannot be read is an error, not a
 * table to rebuild.
 */
export async function differingTables(adapter: Adapter, tables: PermanentTable[], stored = false) {
  const differing: { table: PermanentTable; exists: boolean; reason: string }[] = [];
  for (const table of tables) {
    const wanted = await adapter.columns(table.select);
    const read = adapter.columns(`select * from ${table.relation}`);
    const existing = stored ? await read : await read.catch(() => undefined);
    const reason = existing ? columnsDiffer(table.relation, existing, wanted) : `${table.relation} is missing`;
    if (reason) differing.push({ table, exists: existing !== undefined, reason });
  }
  return differing;
}

/**
 * What differs between a table's columns and those a run writes to it, in words; undefined when
 * nothing does. A type differs when a source column's type changed since the table was written (a
 * key column from integer to text, say), or another version of hindsight wrote it: added to, the
 * table would keep the old type, or the insert fail, where a full refresh writes the new one.
 */
function columnsDiffer(relation: string, existing: Column[], wanted: Column[]): string | undefined {
  const typeOf = (columns: Column[], name: string) => columns.find((c) => c.name === name)?.type;
  const names = (columns: Column[]) => columns.map((c) => c.name);
  const dropped = names(existing).filter((c) => typeOf(wanted, c) === undefined);
  const added = names(wanted).filter((c) => typeOf(existing, c) === undefined);
  const retyped = wanted.filter((c) => (typeOf(existing, c.name) ?? c.type) !== c.type).map((c) => `${c.name} ${typeOf(existing, c.name)} → ${c.type}`);
  const parts = [
    ...(dropped.length ? [`no longer written: ${dropped.join(', ')}`] : []),
    ...(added.length ? [`new: ${added.join(', ')}`] : []),
    ...(retyped.length ? [`of another type: ${retyped.join(', ')}`] : []),
  ];
  if (!parts.length && names(existing).join(',') === names(wanted).join(',')) return undefined;
  return `${relation} has other columns than this run writes (${parts.length ? parts.join('; ') : 'in another order'})`;
}

/** A stored table set aside (renamed) while a run writes its replacement; `aside` is quoted and qualified. */
export interface SetAside {
  table: PermanentTable;
  aside: string;
}

/**
 * Where DDL cannot be rolled back (BigQuery, Snowflake) the monitor's permanent tables are made
 * before the transaction, with the columns of what this run writes to them: those missing, and
 * those with other columns (a full refresh after a configuration change, or after an incremental
 * run found a table another version wrote). A stored table of other columns is not dropped but set
 * aside, renamed to the run's staged name (stagedTable), and each one set aside is pushed on
 * `setAside` at once: a run that fails puts it back (restoreSetAside), one that commits drops it.
 * Dropped, a failed run left an empty table, from which the next run, its configuration the one
 * of the last successful run, added to the recent windows alone: every earlier evaluation lost.
 */
export async function createPermanentTables(
  adapter: Adapter,
  tables: { table: PermanentTable; exists: boolean }[],
  run: { schema: string; monitor: string; runId: string },
  setAside: SetAside[],
): Promise<void> {
  const d = adapter.dialect;
  for (const { table, exists } of tables) {
    if (exists) {
      const name = stagedTable(d, run.monitor, table.kind, run.runId);
      await adapter.execute(d.renameTable(table.relation, run.schema, name));
      setAside.push({ table, aside: `${d.quote(run.schema)}.${d.quote(name)}` });
    }
    await adapter.execute(table.create);
  }
}

/** After a failed run: each stored table set aside is back in its place, the run's replacement dropped. */
export async function restoreSetAside(adapter: Adapter, schema: string, monitor: string, setAside: SetAside[]): Promise<void> {
  for (const { table, aside } of setAside) {
    await adapter.execute(`drop table if exists ${table.relation}`);
    await adapter.execute(adapter.dialect.renameTable(aside, schema, monitorTableName(monitor, table.kind)));
  }
}

/**
 * Drops the staged tables an earlier run of the monitor left, its process killed during a full
 * refresh (README): `hs_<monitor>__evaluations_<run id>` and `hs_<monitor>__mase_history_<run id>`,
 * each a whole copy of the table, which nothing else ever dropped. Called at the start of the
 * monitor's next run, which holds its lock where the warehouse has one, so no other run of the
 * monitor is under way. A name too long for the warehouse, cut and hashed (fitName), is not
 * recognised. Returns the names dropped.
 */
export async function dropLeftStagedTables(adapter: Adapter, schema: string, monitor: string): Promise<string[]> {
  const d = adapter.dialect;
  const prefix = `hs_${monitor}__`;
  const rows = await adapter.query(`select table_name from information_schema.tables where table_schema = ${d.string(schema)} and table_name like ${d.string(`${prefix}%`)}`);
  const left = rows.map((r) => String(r.table_name)).filter((name) => name.startsWith(prefix) && /^(evaluations|mase_history)_[0-9a-f]{8}$/.test(name.slice(prefix.length)));
  for (const name of left) await adapter.execute(`drop table if exists ${d.quote(schema)}.${d.quote(name)}`);
  return left;
}

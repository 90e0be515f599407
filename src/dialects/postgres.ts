import { defaultDialect, defineDialect, type Dialect } from './dialect.js';

// Postgres: date_trunc('week') is the ISO (Monday) week. Text ordering follows the database's
// locale unless told otherwise, so ties between segment values are ordered with the "C" collation.
export const postgres = defineDialect({
  name: 'postgres',
  types: { double: 'double precision', bigint: 'bigint', integer: 'integer', text: 'text', timestamp: 'timestamp', boolean: 'boolean' },
  binaryCollate: (expr) => `${expr} collate "C"`,
  // Autovacuum never analyzes temporary tables, and analyzes a new table only later: without
  // statistics the planner guessed the regression metric step's joins at 1e5 predictions into plans
  // that took 114-135 s, against 4.1 s with every session table analyzed (docs/performance.md).
  // ANALYZE reads a sample of at most 30,000 rows, and runs inside the run's transaction.
  createTempTable(this: Dialect, name: string, select: string) {
    return [...defaultDialect.createTempTable.call(this, name, select), `analyze ${this.quote(name)}`];
  },
  createTable(this: Dialect, relation: string, select: string) {
    return [...defaultDialect.createTable.call(this, relation, select), `analyze ${relation}`];
  },
});

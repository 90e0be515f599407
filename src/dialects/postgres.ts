import { defineDialect } from './dialect.js';

// Postgres: date_trunc('week') is the ISO (Monday) week. Text ordering follows the database's
// locale unless told otherwise, so ties between segment values are ordered with the "C" collation.
export const postgres = defineDialect({
  name: 'postgres',
  types: { double: 'double precision', bigint: 'bigint', integer: 'integer', text: 'text', timestamp: 'timestamp', boolean: 'boolean' },
  binaryCollate: (expr) => `${expr} collate "C"`,
});

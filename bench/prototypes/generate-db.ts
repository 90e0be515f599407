// Generates the benchmark tables into a DuckDB file, for the prototypes:
//   npx tsx bench/prototypes/generate-db.ts /tmp/bench-1e6.duckdb 1e6
import { DuckDBInstance } from '@duckdb/node-api';
import { generateStatements } from '../generate.js';

const instance = await DuckDBInstance.create(process.argv[2]!);
const connection = await instance.connect();
for (const s of generateStatements('duckdb', Number(process.argv[3]))) await connection.run(s);
connection.closeSync();

// Generates the benchmark tables into a DuckDB file, for the prototypes:
//   npx tsx bench/prototypes/generate-db.ts /tmp/bench-1e6.duckdb 1e6 [--key-stride S]
// (--key-stride: keys are multiples of S, bench/generate.ts GenerateOptions)
import { DuckDBInstance } from '@duckdb/node-api';
import { generateStatements } from '../generate.js';

const instance = await DuckDBInstance.create(process.argv[2]!);
const connection = await instance.connect();
const keyStride = process.argv.includes('--key-stride') ? Number(process.argv[process.argv.indexOf('--key-stride') + 1]) : 1;
for (const s of generateStatements('duckdb', Number(process.argv[3]), { keyStride })) await connection.run(s);
connection.closeSync();

// Micro-benchmark: exact sums of doubles on Postgres, 5M values in 4,472 groups, three rounds:
//   npx tsx bench/prototypes/postgres-exact-sum-micro.ts
// numeric(38, 15) (the Postgres dialect's exactSum before), bigint parts (whole units and 1e-15 units
// of the fraction: src/dialects/postgres.ts now), femto units (d.femtoSum, for bounded addends) and a
// plain double sum (not order-independent), then how many group sums differ between the first two.
import pg from 'pg';
import { startBenchPostgres, stopPostgres, postgresCpuSeconds } from '../postgres.js';
const server = await startBenchPostgres(() => undefined);
const c = new pg.Client({ connectionString: server.url });
await c.connect();
try {
  await c.query(`create temp table t as select (i % 4472) as g, (((i * 2654435761) % 1000003) / 1000003.0)::float8 * 3 - 1.2 as x from generate_series(1, 5000000) as i`);
  await c.query('analyze t');
  const variants: Record<string, string> = {
    numeric: `select g, sum(cast(x as numeric(38, 15))) as s from t group by g`,
    parts: `select g, sum(cast(trunc(x) as bigint))::numeric + sum(cast(round((x - trunc(x)) * 1e15) as bigint))::numeric / 1e15 as s from t group by g`,
    femto: `select g, sum(cast(round(x * 1e15) as bigint)) / 1e15 as s from t group by g`,
    double: `select g, sum(x) as s from t group by g`,
  };
  for (let round = 0; round < 3; round++) {
    for (const [name, sql] of Object.entries(variants)) {
      const cpu0 = postgresCpuSeconds(server.dataDir);
      const t0 = performance.now();
      await c.query(`create temp table r_${name}_${round} as ${sql}`);
      console.log(`${name} round ${round + 1}: wall ${((performance.now() - t0) / 1000).toFixed(2)} s, server CPU ${(postgresCpuSeconds(server.dataDir) - cpu0).toFixed(2)} s`);
    }
  }
  const d = await c.query(`select count(*) as n, sum(case when a.s <> b.s then 1 else 0 end) as differ, max(abs(a.s - b.s)) as maxdiff from r_numeric_0 a join r_parts_0 b using (g)`);
  console.log('numeric vs parts:', d.rows[0]);
} finally {
  await c.end();
  await stopPostgres(server);
}

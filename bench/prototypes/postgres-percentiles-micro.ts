// Micro-benchmark: three exact percentiles per group on Postgres, as three ordered-set aggregates
// against one over an array of fractions, 5M doubles in 4,472 groups, alternating, three rounds:
//   npx tsx bench/prototypes/postgres-percentiles-micro.ts
// then whether the two give the same values in every group.
import pg from 'pg';
import { postgresCpuSeconds, startBenchPostgres, stopPostgres } from '../postgres.js';

const server = await startBenchPostgres(() => undefined);
const c = new pg.Client({ connectionString: server.url });
await c.connect();
try {
  await c.query(`create temp table t as select (i % 4472) as g, (((i * 2654435761) % 1000003) / 1000003.0)::float8 as x from generate_series(1, 5000000) as i`);
  await c.query('analyze t');
  const variants: Record<string, string> = {
    three: `select g, percentile_cont(0.5) within group (order by x) as p50, percentile_cont(0.9) within group (order by x) as p90, percentile_cont(0.99) within group (order by x) as p99 from t group by g`,
    array: `select g, (percentile_cont(array[0.5, 0.9, 0.99]) within group (order by x))[1] as p50, (percentile_cont(array[0.5, 0.9, 0.99]) within group (order by x))[2] as p90, (percentile_cont(array[0.5, 0.9, 0.99]) within group (order by x))[3] as p99 from t group by g`,
    one: `select g, percentile_cont(0.5) within group (order by x) as p50 from t group by g`,
  };
  for (let round = 0; round < 3; round++) {
    for (const [name, sql] of Object.entries(variants)) {
      const cpu0 = postgresCpuSeconds(server.dataDir);
      const t0 = performance.now();
      await c.query(`create temp table r_${name}_${round} as ${sql}`);
      console.log(`${name} round ${round + 1}: wall ${((performance.now() - t0) / 1000).toFixed(2)} s, server CPU ${(postgresCpuSeconds(server.dataDir) - cpu0).toFixed(2)} s`);
    }
  }
  const d = await c.query(`select count(*) as n, sum(case when a.p50 = b.p50 and a.p90 = b.p90 and a.p99 = b.p99 then 0 else 1 end) as differ from r_three_0 a join r_array_0 b using (g)`);
  console.log('three vs array:', d.rows[0]);
} finally {
  await c.end();
  await stopPostgres(server);
}

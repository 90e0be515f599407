// Micro-benchmarks of Postgres aggregates over 5M doubles in 4,472 groups, variants alternating,
// three rounds (server CPU from /proc), then whether the first two variants agree in every group:
//   npx tsx bench/prototypes/postgres-aggregate-micro.ts sums
//     exact sums: numeric(38, 15) (the Postgres dialect's exactSum before the tenth session), bigint
//     parts (whole units and 1e-15 units of the fraction: src/dialects/postgres.ts now), femto units
//     (d.femtoSum, for bounded addends) and a plain double sum (not order-independent)
//   npx tsx bench/prototypes/postgres-aggregate-micro.ts percentiles
//     three percentile_cont aggregates over the same order by, one over an array of the three
//     fractions, and a single one
import pg from 'pg';
import { postgresCpuSeconds, startBenchPostgres, stopPostgres } from '../postgres.js';

const SETS: Record<string, { values: string; variants: Record<string, string>; columns: string[] }> = {
  sums: {
    values: `(((i * 2654435761) % 1000003) / 1000003.0)::float8 * 3 - 1.2`,
    columns: ['s'],
    variants: {
      numeric: `select g, sum(cast(x as numeric(38, 15))) as s from t group by g`,
      parts: `select g, sum(cast(trunc(x) as bigint)) + sum(cast(round((x - trunc(x)) * 1e15) as bigint)) * 0.000000000000001 as s from t group by g`,
      femto: `select g, sum(cast(round(x * 1e15) as bigint)) * 0.000000000000001 as s from t group by g`,
      double: `select g, sum(x) as s from t group by g`,
    },
  },
  percentiles: {
    values: `(((i * 2654435761) % 1000003) / 1000003.0)::float8`,
    columns: ['p50', 'p90', 'p99'],
    variants: {
      three: `select g, ${[0.5, 0.9, 0.99].map((f, i) => `percentile_cont(${f}) within group (order by x) as ${['p50', 'p90', 'p99'][i]}`).join(', ')} from t group by g`,
      array: `select g, ${['p50', 'p90', 'p99'].map((c, i) => `(percentile_cont(array[0.5, 0.9, 0.99]) within group (order by x))[${i + 1}] as ${c}`).join(', ')} from t group by g`,
      one: `select g, percentile_cont(0.5) within group (order by x) as p50 from t group by g`,
    },
  },
};

const set = SETS[process.argv[2] ?? ''];
if (!set) throw new Error(`usage: postgres-aggregate-micro.ts ${Object.keys(SETS).join(' | ')}`);
const server = await startBenchPostgres(() => undefined);
const c = new pg.Client({ connectionString: server.url });
await c.connect();
try {
  await c.query(`create temp table t as select (i % 4472) as g, ${set.values} as x from generate_series(1, 5000000) as i`);
  await c.query('analyze t');
  for (let round = 0; round < 3; round++) {
    for (const [name, sql] of Object.entries(set.variants)) {
      const cpu0 = postgresCpuSeconds(server.dataDir);
      const t0 = performance.now();
      await c.query(`create temp table r_${name}_${round} as ${sql}`);
      console.log(`${name} round ${round + 1}: wall ${((performance.now() - t0) / 1000).toFixed(2)} s, server CPU ${(postgresCpuSeconds(server.dataDir) - cpu0).toFixed(2)} s`);
    }
  }
  const [a, b] = Object.keys(set.variants);
  const differ = set.columns.map((k) => `a.${k} <> b.${k}`).join(' or ');
  const diff = set.columns.map((k) => `abs(a.${k} - b.${k})`).join(', ');
  const d = await c.query(`select count(*) as n, sum(case when ${differ} then 1 else 0 end) as differ, max(greatest(${diff}, 0)) as max_difference from r_${a}_0 as a join r_${b}_0 as b using (g)`);
  console.log(`${a} against ${b}:`, d.rows[0]);
} finally {
  await c.end();
  await stopPostgres(server);
}

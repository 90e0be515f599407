// Candidate lower-bound queries, timed against each other to pick the cheapest (bench/lower-bound.ts
// holds the winner). Run: npx tsx bench/prototypes/lower-bound-variants.ts duckdb <db file> | postgres <url>
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';

const AS_OF = `timestamp '2026-04-05 00:00:00'`;
type W = 'duckdb' | 'postgres';

const tail = (w: W, j: string) => `
${j},
ranked as (
    select predicted_at, model_version, score, label,
        rank() over (partition by date_trunc('day', predicted_at), model_version order by score) as score_rank
    from j
)
select
    date_trunc('day', predicted_at) as day, date_trunc('week', predicted_at) as week, model_version,
    count(*) as n, sum(label) as positives, sum(score) as sum_score,
    sum(case when label = 1 then score_rank else 0 end) as positive_rank_sum
from ranked
group by grouping sets ((date_trunc('day', predicted_at), model_version), (date_trunc('week', predicted_at), model_version))`;

const within = (w: W) => (w === 'duckdb' ? `interval 14 day` : `interval '14 days'`);
const oWhere = `o.observed_at <= ${AS_OF} and o.label is not null and o.prediction_id is not null`;
const pWhere = `predicted_at <= ${AS_OF} and prediction_id is not null`;
const outcomeOrder = (w: W) => (w === 'duckdb' ? `epoch_ms(o.observed_at) * 2 + o.label` : `(o.observed_at, o.label)`);

export const variants: Record<string, (w: W) => string | undefined> = {
  // dedupe with one arg_max per column; join; pick the winning outcome with arg_max over the joined rows
  argmax_cols: (w) => w !== 'duckdb' ? undefined : tail(w, `with p as (
    select prediction_id, max(predicted_at) as predicted_at, arg_max(score, predicted_at) as score,
        arg_max(model_version, predicted_at) as model_version, arg_max(customer_type, predicted_at) as customer_type,
        arg_max(region, predicted_at) as region
    from bench.predictions where ${pWhere} group by prediction_id
),
j as (
    select p.prediction_id, any_value(p.predicted_at) as predicted_at, any_value(p.score) as score,
        any_value(p.model_version) as model_version, any_value(p.customer_type) as customer_type, any_value(p.region) as region,
        arg_max(o.label, ${outcomeOrder(w)}) as label
    from p join bench.outcomes as o on o.prediction_id = p.prediction_id
        and o.observed_at between p.predicted_at and p.predicted_at + ${within(w)}
    where ${oWhere}
    group by p.prediction_id
)`),
  // dedupe with one arg_max of a struct
  argmax_struct: (w) => w !== 'duckdb' ? undefined : tail(w, `with p as (
    select prediction_id, max(predicted_at) as predicted_at,
        arg_max({'score': score, 'mv': model_version, 'ct': customer_type, 'rg': region}, predicted_at) as s
    from bench.predictions where ${pWhere} group by prediction_id
),
j as (
    select p.prediction_id, any_value(p.predicted_at) as predicted_at, any_value(p.s.score) as score,
        any_value(p.s.mv) as model_version, any_value(p.s.ct) as customer_type, any_value(p.s.rg) as region,
        arg_max(o.label, ${outcomeOrder(w)}) as label
    from p join bench.outcomes as o on o.prediction_id = p.prediction_id
        and o.observed_at between p.predicted_at and p.predicted_at + ${within(w)}
    where ${oWhere}
    group by p.prediction_id
)`),
  // arg_max columns; winning outcome grouped on the outcome side before meeting predictions again
  argmax_outcome_side: (w) => w !== 'duckdb' ? undefined : tail(w, `with p as (
    select prediction_id, max(predicted_at) as predicted_at, arg_max(score, predicted_at) as score,
        arg_max(model_version, predicted_at) as model_version, arg_max(customer_type, predicted_at) as customer_type,
        arg_max(region, predicted_at) as region
    from bench.predictions where ${pWhere} group by prediction_id
),
j as (
    select p.predicted_at, p.score, p.model_version, p.customer_type, p.region, arg_max(o.label, ${outcomeOrder(w)}) as label
    from p join bench.outcomes as o on o.prediction_id = p.prediction_id
        and o.observed_at between p.predicted_at and p.predicted_at + ${within(w)}
    where ${oWhere}
    group by all
)`),
  // Not a lower bound of the definition: the floor for THIS monitor's output, i.e. the
  // lower bound's work plus one sort per slice (2 granularities x (overall + 2 segments) = 6 sorts
  // of the joined rows), no top-N folding, no data quality. What hindsight cannot go below with
  // exact ranking metrics per slice.
  sliced_floor: (w) => w !== 'duckdb' ? undefined : `with p as (
    select prediction_id, max(predicted_at) as predicted_at, arg_max(score, predicted_at) as score,
        arg_max(model_version, predicted_at) as model_version, arg_max(customer_type, predicted_at) as customer_type,
        arg_max(region, predicted_at) as region
    from bench.predictions where ${pWhere} group by prediction_id
),
j as (
    select any_value(p.predicted_at) as predicted_at, any_value(p.score) as score, any_value(p.model_version) as model_version,
        any_value(p.customer_type) as customer_type, any_value(p.region) as region,
        arg_max(o.label, ${outcomeOrder(w)}) as label
    from p join bench.outcomes as o on o.prediction_id = p.prediction_id
        and o.observed_at between p.predicted_at and p.predicted_at + ${within(w)}
    where ${oWhere}
    group by p.prediction_id
),
s as (
    select 'day' as g, date_trunc('day', predicted_at) as w, model_version as mv, null as sv, score, label from j
    union all select 'day', date_trunc('day', predicted_at), model_version, customer_type, score, label from j
    union all select 'day', date_trunc('day', predicted_at), model_version, region, score, label from j
    union all select 'week', date_trunc('week', predicted_at), model_version, null, score, label from j
    union all select 'week', date_trunc('week', predicted_at), model_version, customer_type, score, label from j
    union all select 'week', date_trunc('week', predicted_at), model_version, region, score, label from j
),
r as (select *, rank() over (partition by g, w, mv, sv order by score) as rk from s)
select g, w, mv, sv, count(*) as n, sum(label) as positives, sum(score) as sum_score,
    sum(case when label = 1 then rk else 0 end) as positive_rank_sum
from r group by all`,
  // row_number() windows for both dedupes
  row_number: (w) => tail(w, `with p as (
    select * from (
        select prediction_id, predicted_at, score, model_version, customer_type, region,
            row_number() over (partition by prediction_id order by predicted_at desc) as rn
        from bench.predictions where ${pWhere}
    ) as x where rn = 1
),
j as (
    select * from (
        select p.predicted_at, p.score, p.model_version, p.customer_type, p.region, o.label,
            row_number() over (partition by p.prediction_id order by o.observed_at desc, o.label desc) as rn
        from p join bench.outcomes as o on o.prediction_id = p.prediction_id
            and o.observed_at between p.predicted_at and p.predicted_at + ${within(w)}
        where ${oWhere}
    ) as x where rn = 1
)`),
  // Postgres: distinct on (a sort) for both dedupes
  distinct_on: (w) => w !== 'postgres' ? undefined : tail(w, `with p as (
    select distinct on (prediction_id) prediction_id, predicted_at, score, model_version, customer_type, region
    from bench.predictions where ${pWhere}
    order by prediction_id, predicted_at desc
),
j as (
    select distinct on (p.prediction_id) p.predicted_at, p.score, p.model_version, p.customer_type, p.region, o.label
    from p join bench.outcomes as o on o.prediction_id = p.prediction_id
        and o.observed_at between p.predicted_at and p.predicted_at + ${within(w)}
    where ${oWhere}
    order by p.prediction_id, o.observed_at desc, o.label desc
)`),
  // Postgres: distinct on for predictions, hash-aggregated latest outcome time, then the label of it
  distinct_on_max: (w) => w !== 'postgres' ? undefined : tail(w, `with p as (
    select distinct on (prediction_id) prediction_id, predicted_at, score, model_version, customer_type, region
    from bench.predictions where ${pWhere}
    order by prediction_id, predicted_at desc
),
j as (
    select p.predicted_at, p.score, p.model_version, p.customer_type, p.region,
        (max(array[extract(epoch from o.observed_at), o.label]))[2] as label
    from p join bench.outcomes as o on o.prediction_id = p.prediction_id
        and o.observed_at between p.predicted_at and p.predicted_at + ${within(w)}
    where ${oWhere}
    group by p.prediction_id, p.predicted_at, p.score, p.model_version, p.customer_type, p.region
)`),
};

if (process.argv[1]?.endsWith('lower-bound-variants.ts')) {
  const [w, where, only] = process.argv.slice(2) as [W, string, string | undefined];
  let run: (sql: string) => Promise<unknown>;
  let close: () => Promise<void>;
  let pgCpu: (() => number) | undefined;
  if (w === 'duckdb') {
    const inst = await DuckDBInstance.create(where);
    const c = await inst.connect();
    await c.run(`set TimeZone = 'UTC'`);
    run = (sql) => c.run(sql);
    close = async () => c.closeSync();
  } else {
    const c = new pg.Client({ connectionString: where });
    await c.connect();
    await c.query(`set time zone 'UTC'`);
    run = (sql) => c.query(sql);
    close = () => c.end();
    if (process.env.PGDATA_DIR) pgCpu = (await import('../postgres.js')).postgresCpuSeconds.bind(null, process.env.PGDATA_DIR);
  }
  for (const [name, make] of Object.entries(variants)) {
    if (only && !only.split(',').includes(name)) continue;
    const sql = make(w);
    if (!sql) continue;
    for (let rep = 0; rep < Number(process.env.REPS ?? 2); rep++) {
      const t = performance.now();
      const c = process.cpuUsage();
      const s0 = pgCpu?.() ?? 0;
      await run(`drop table if exists lb_probe`);
      await run(`create temporary table lb_probe as ${sql}`);
      const u = process.cpuUsage(c);
      // DuckDB runs in this process: its CPU time is this process's
      console.log(name, rep, `wall ${((performance.now() - t) / 1000).toFixed(2)} s`, w === 'duckdb' ? `cpu ${((u.user + u.system) / 1e6).toFixed(2)} s` : pgCpu ? `server cpu ${(pgCpu() - s0).toFixed(2)} s` : '');
    }
  }
  await close();
}

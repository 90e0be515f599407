// Micro-benchmark of the window formulations behind the ranking metrics, on the sliced rows of a
// benchmark DuckDB file (CPU seconds of this process = DuckDB's):
//   npx tsx bench/prototypes/window-micro.ts /tmp/bench-1e6.duckdb
import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(process.argv[2]!);
const c = await inst.connect();
await c.run(`set TimeZone='UTC'`);
await c.run(`create temp table ev as
with p as (select prediction_id, max(predicted_at) as predicted_at, arg_max(score, predicted_at) as score, arg_max(model_version, predicted_at) model_version, arg_max(customer_type, predicted_at) customer_type, arg_max(region, predicted_at) region from bench.predictions group by 1),
l as (select p.prediction_id, arg_max(o.label, epoch_ms(o.observed_at)*2+o.label) as label from p join bench.outcomes o on o.prediction_id=p.prediction_id and o.observed_at between p.predicted_at and p.predicted_at + interval 14 day group by 1)
select p.*, l.label from p left join l using (prediction_id)`);
await c.run(`create temp table sliced as select * from (
select 'day' g, date_trunc('day', predicted_at) ws, model_version mv, null::varchar seg, null::varchar sv, score, label from ev where label is not null
union all select 'day', date_trunc('day', predicted_at), model_version, 'customer_type', customer_type, score, label from ev where label is not null
union all select 'day', date_trunc('day', predicted_at), model_version, 'region', region, score, label from ev where label is not null
union all select 'week', date_trunc('week', predicted_at), model_version, null, null, score, label from ev where label is not null
union all select 'week', date_trunc('week', predicted_at), model_version, 'customer_type', customer_type, score, label from ev where label is not null
union all select 'week', date_trunc('week', predicted_at), model_version, 'region', region, score, label from ev where label is not null)`);
const K = 'g, ws, mv, seg, sv';
const qs: [string, string][] = [
 ['sort only', `create or replace temp table w1 as select * from sliced order by ${K}, score`],
 ['A: 2 windows rank + range count + partition count', `create or replace temp table w1 as select *, rank() over a, count(*) over (a range between unbounded preceding and current row), count(*) over (partition by ${K}), rank() over b, count(*) over (b range between unbounded preceding and current row), count(*) over (partition by ${K}, label) from sliced window a as (partition by ${K} order by score), b as (partition by ${K}, label order by score)`],
 ['B: 2 windows rank + cume_dist', `create or replace temp table w1 as select *, rank() over a, cume_dist() over a, rank() over b, cume_dist() over b from sliced window a as (partition by ${K} order by score), b as (partition by ${K}, label order by score)`],
 ['C: 2 windows rank only', `create or replace temp table w1 as select *, rank() over a, rank() over b from sliced window a as (partition by ${K} order by score), b as (partition by ${K}, label order by score)`],
 ['D: 1 window rank + running sum(label)', `create or replace temp table w1 as select *, rank() over a, sum(label) over (a rows between unbounded preceding and current row) from sliced window a as (partition by ${K} order by score)`],
 ['E: 1 window rank only', `create or replace temp table w1 as select *, rank() over a from sliced window a as (partition by ${K} order by score)`],
];
for (const [n, q] of qs) { const t = performance.now(); const c0 = process.cpuUsage(); await c.run(q); const cu = process.cpuUsage(c0); console.log(n.padEnd(40), ((performance.now()-t)/1000).toFixed(2), 'cpu', ((cu.user+cu.system)/1e6).toFixed(2)); }
console.log((await c.runAndReadAll('select count(*) from sliced')).getRowObjectsJS());

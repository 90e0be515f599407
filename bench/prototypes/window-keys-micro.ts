// Micro-benchmark behind the integer slice keys and the positives-only second sort of the binary
// metric step: the same window functions over the sliced rows of a benchmark DuckDB file, keyed by
// the text group columns or by integers, with and without text payload. CPU seconds of this process
// (= DuckDB's, all threads):
//   npx tsx bench/prototypes/window-keys-micro.ts /tmp/bench-1e6.duckdb
// (make the file with bench/prototypes/generate-db.ts). Model version and segment indexes here come
// from hash() for brevity, not from the template's exact ranks: the shapes and sizes are the same.
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(process.argv[2]!);
const c = await instance.connect();
await c.run(`set TimeZone='UTC'`);
await c.run(`create temp table ev as
with p as (select prediction_id, max(predicted_at) as predicted_at, arg_max(score, predicted_at) as score, arg_max(model_version, predicted_at) model_version, arg_max(customer_type, predicted_at) customer_type, arg_max(region, predicted_at) region from bench.predictions group by 1),
l as (select p.prediction_id, arg_max(o.label, epoch_ms(o.observed_at) * 2 + o.label) as label from p join bench.outcomes o on o.prediction_id = p.prediction_id and o.observed_at between p.predicted_at and p.predicted_at + interval 14 day group by 1)
select p.*, l.label::int as label from p left join l using (prediction_id)`);
const slices = [
  ['day', 'null::varchar', 'null::varchar', 0],
  ['day', "'customer_type'", 'customer_type', 1],
  ['day', "'region'", 'region', 2],
  ['week', 'null::varchar', 'null::varchar', 3],
  ['week', "'customer_type'", 'customer_type', 4],
  ['week', "'region'", 'region', 5],
] as const;
// text keys (as before 1d2db8e) and integer keys (window_start, slice_key), same rows
await c.run(`create temp table sliced as ${slices.map(([g, seg, col, i]) => `select '${g}' as g, date_trunc('${g}', predicted_at) as window_start, model_version as mv, ${seg} as seg, ${col} as sv, (hash(model_version) % 3) * 312 + ${i} * 52 + coalesce(hash(${col}) % 51, 0) as slice_key, score, label from ev where label is not null`).join(' union all ')}`);
const text = 'g, window_start, mv, seg, sv';
const int = 'window_start, slice_key';
const two = (k: string) => `rank() over (partition by ${k} order by score) - 1 as cnt_lt, count(*) over (partition by ${k} order by score range between unbounded preceding and current row) as cnt_le, count(*) over (partition by ${k}) as n_all, rank() over (partition by ${k}, label order by score) - 1 as lab_lt, count(*) over (partition by ${k}, label order by score range between unbounded preceding and current row) as lab_le, count(*) over (partition by ${k}, label) as n_lab`;
const first = (k: string) => `rank() over (partition by ${k} order by score) - 1 as cnt_lt, count(*) over (partition by ${k} order by score range between unbounded preceding and current row) as cnt_le, count(*) over (partition by ${k}) as n_all`;
const cases: [string, string][] = [
  ['sort only, text keys', `select * from sliced order by ${text}, score`],
  ['rank() only, text keys', `select *, rank() over (partition by ${text} order by score) from sliced`],
  ['rank() only, integer keys, no text payload', `select window_start, slice_key, score, label, rank() over (partition by ${int} order by score) from sliced`],
  ['two sorts (all rows, by label), text keys', `select *, ${two(text)} from sliced`],
  ['two sorts, integer keys, text payload', `select *, ${two(int)} from sliced`],
  ['two sorts, integer keys, no text payload', `select window_start, slice_key, score, label, ${two(int)} from sliced`],
  ['all rows + positives-only sort, integer keys', `with keyed as (select window_start, slice_key, score, label from sliced), ranked as (select *, ${first(int)} from keyed) select *, rank() over (partition by ${int} order by score) - 1, count(*) over (partition by ${int} order by score range between unbounded preceding and current row), count(*) over (partition by ${int}) from ranked where label = 1 union all select *, null, null, null from ranked where label = 0`],
  ['one sort (all rows), integer keys', `select window_start, slice_key, score, label, ${first(int)} from sliced`],
  ['one sort + running sum(label), integer keys', `select window_start, slice_key, score, label, ${first(int)}, sum(label) over (partition by ${int} order by score rows between unbounded preceding and current row) from sliced`],
];
console.log('rows', (await c.runAndReadAll('select count(*) as n, avg(label) as positive_rate from sliced')).getRowObjectsJS()[0]);
for (const [name, sql] of cases) {
  const t = performance.now();
  const c0 = process.cpuUsage();
  await c.run(`create or replace temp table out as ${sql}`);
  const u = process.cpuUsage(c0);
  console.log(`${name.padEnd(48)} wall ${((performance.now() - t) / 1000).toFixed(2)} s, cpu ${((u.user + u.system) / 1e6).toFixed(2)} s`);
}

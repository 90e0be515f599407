-- Regression metrics of monitor resale, per window, model version, slice and output.
-- Formulas are in macros/regression.sql. Sums of doubles are exact (d.exactSum), so the values
-- never depend on row order; means used inside sums of squares are exact too.
-- Groups are keyed by integers until the last step (slice keys and group_key: macros/slices.sql).
-- The sums that need no group mean or order (counts, sums of errors, minima and maxima) are each
-- row's own terms: every evaluated row is counted once per granularity and output, in a cell of its
-- window, model version and segment values, and the slices are added up from the cells. Only the
-- sums of squared deviations from a slice's means and the order statistics of |error| read the rows
-- of each slice. Computing everything on a copy of the rows per slice, grouped by the text columns,
-- took 2.0x the binary metric step's CPU at 10M on DuckDB (docs/performance.md).
with segment_ranks as (
    select
        granularity,
        'category' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by granularity, window_start
            order by sum(n) desc, segment_value collate "C"
        ) as value_rank
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'week' then date_trunc('week', days.day_start) end as window_start,
            days.segment_value,
            days.n
        from (
            select date_trunc('day', predicted_at) as day_start, "category" as segment_value, count(*) as n
            from "hindsight"."hs_resale__evaluations_00000000"
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where "category" is not null and "category" <> '__other__'
            group by 1, 2
        ) as days
        cross join (
            select 'week' as granularity
        ) as granularities
    ) as segment_values
    group by granularity, window_start, segment_value

),

model_versions as (
    select model_version, row_number() over (order by model_version collate "C") as version_index
    from (select distinct model_version from "hindsight"."hs_resale__evaluations_00000000" where model_version is not null) as versions

),

cell_rows as (
    select
        date_trunc('week', evaluated.predicted_at) as window_start,
        (coalesce(versions.version_index, 0) * 1 + 0) * 104 as base_key,
        cast(floor(cast(extract(epoch from (date_trunc('week', evaluated.predicted_at) - cast('1970-01-01' as timestamp))) as double precision) / 3600 / 24) as bigint) * 1099511627776 + (coalesce(versions.version_index, 0) * 1 + 0) * 104 as base_group_key,
        case
            when evaluated."category" is null then 0
            when ranks_1.value_rank <= 50 then ranks_1.value_rank
            else 51
        end as value_1,
        evaluated."predicted_price" as prediction_0,
        evaluated."sale_price" as label_0,
        evaluated."predicted_days" as prediction_1,
        evaluated."days_listed" as label_1
    from "hindsight"."hs_resale__evaluations_00000000" as evaluated
    left join model_versions as versions
        on versions.model_version = evaluated.model_version
    left join segment_ranks as ranks_1
        on ranks_1.granularity = 'week'
        and ranks_1.segment = 'category'
        and ranks_1.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks_1.segment_value = evaluated."category"
    where evaluated.label_status = 'observed'

),

-- one cell per output and combination of every segment's value; a NULL label or prediction leaves
-- the row out of that output only
cells as (
    select
        window_start, base_key, value_1, 0 as output_index,
        count(*) as n,
        (sum(cast(trunc(prediction_0) as bigint)) + sum(cast(round((prediction_0 - trunc(prediction_0)) * 1e15) as bigint)) * 0.000000000000001) as sum_prediction,
        (sum(cast(trunc(label_0) as bigint)) + sum(cast(round((label_0 - trunc(label_0)) * 1e15) as bigint)) * 0.000000000000001) as sum_label,
        (sum(cast(trunc(prediction_0 - label_0) as bigint)) + sum(cast(round((prediction_0 - label_0 - trunc(prediction_0 - label_0)) * 1e15) as bigint)) * 0.000000000000001) as sum_error,
        (sum(cast(trunc(abs(prediction_0 - label_0)) as bigint)) + sum(cast(round((abs(prediction_0 - label_0) - trunc(abs(prediction_0 - label_0))) * 1e15) as bigint)) * 0.000000000000001) as sum_abs_error,
        (sum(cast(trunc((prediction_0 - label_0) * (prediction_0 - label_0)) as bigint)) + sum(cast(round(((prediction_0 - label_0) * (prediction_0 - label_0) - trunc((prediction_0 - label_0) * (prediction_0 - label_0))) * 1e15) as bigint)) * 0.000000000000001) as sum_sq_error,
        sum(case when label_0 <> 0 then 1 else 0 end) as n_nonzero,
        (sum(cast(trunc(case when label_0 <> 0 then abs(prediction_0 - label_0) / abs(label_0) end) as bigint)) + sum(cast(round((case when label_0 <> 0 then abs(prediction_0 - label_0) / abs(label_0) end - trunc(case when label_0 <> 0 then abs(prediction_0 - label_0) / abs(label_0) end)) * 1e15) as bigint)) * 0.000000000000001) as sum_ape,
        (sum(cast(trunc(case when abs(prediction_0) + abs(label_0) = 0 then 0 else 2 * abs(prediction_0 - label_0) / (abs(prediction_0) + abs(label_0)) end) as bigint)) + sum(cast(round((case when abs(prediction_0) + abs(label_0) = 0 then 0 else 2 * abs(prediction_0 - label_0) / (abs(prediction_0) + abs(label_0)) end - trunc(case when abs(prediction_0) + abs(label_0) = 0 then 0 else 2 * abs(prediction_0 - label_0) / (abs(prediction_0) + abs(label_0)) end)) * 1e15) as bigint)) * 0.000000000000001) as sum_sape,
        (sum(cast(trunc(abs(label_0)) as bigint)) + sum(cast(round((abs(label_0) - trunc(abs(label_0))) * 1e15) as bigint)) * 0.000000000000001) as sum_abs_label,
        min(label_0) as label_min,
        max(label_0) as label_max,
        max(abs(prediction_0 - label_0)) as max_abs_error
    from cell_rows
    where prediction_0 is not null and label_0 is not null
    group by window_start, base_key, value_1
    union all
    select
        window_start, base_key, value_1, 1 as output_index,
        count(*) as n,
        (sum(cast(trunc(prediction_1) as bigint)) + sum(cast(round((prediction_1 - trunc(prediction_1)) * 1e15) as bigint)) * 0.000000000000001) as sum_prediction,
        (sum(cast(trunc(label_1) as bigint)) + sum(cast(round((label_1 - trunc(label_1)) * 1e15) as bigint)) * 0.000000000000001) as sum_label,
        (sum(cast(trunc(prediction_1 - label_1) as bigint)) + sum(cast(round((prediction_1 - label_1 - trunc(prediction_1 - label_1)) * 1e15) as bigint)) * 0.000000000000001) as sum_error,
        (sum(cast(trunc(abs(prediction_1 - label_1)) as bigint)) + sum(cast(round((abs(prediction_1 - label_1) - trunc(abs(prediction_1 - label_1))) * 1e15) as bigint)) * 0.000000000000001) as sum_abs_error,
        (sum(cast(trunc((prediction_1 - label_1) * (prediction_1 - label_1)) as bigint)) + sum(cast(round(((prediction_1 - label_1) * (prediction_1 - label_1) - trunc((prediction_1 - label_1) * (prediction_1 - label_1))) * 1e15) as bigint)) * 0.000000000000001) as sum_sq_error,
        sum(case when label_1 <> 0 then 1 else 0 end) as n_nonzero,
        (sum(cast(trunc(case when label_1 <> 0 then abs(prediction_1 - label_1) / abs(label_1) end) as bigint)) + sum(cast(round((case when label_1 <> 0 then abs(prediction_1 - label_1) / abs(label_1) end - trunc(case when label_1 <> 0 then abs(prediction_1 - label_1) / abs(label_1) end)) * 1e15) as bigint)) * 0.000000000000001) as sum_ape,
        (sum(cast(trunc(case when abs(prediction_1) + abs(label_1) = 0 then 0 else 2 * abs(prediction_1 - label_1) / (abs(prediction_1) + abs(label_1)) end) as bigint)) + sum(cast(round((case when abs(prediction_1) + abs(label_1) = 0 then 0 else 2 * abs(prediction_1 - label_1) / (abs(prediction_1) + abs(label_1)) end - trunc(case when abs(prediction_1) + abs(label_1) = 0 then 0 else 2 * abs(prediction_1 - label_1) / (abs(prediction_1) + abs(label_1)) end)) * 1e15) as bigint)) * 0.000000000000001) as sum_sape,
        (sum(cast(trunc(abs(label_1)) as bigint)) + sum(cast(round((abs(label_1) - trunc(abs(label_1))) * 1e15) as bigint)) * 0.000000000000001) as sum_abs_label,
        min(label_1) as label_min,
        max(label_1) as label_max,
        max(abs(prediction_1 - label_1)) as max_abs_error
    from cell_rows
    where prediction_1 is not null and label_1 is not null
    group by window_start, base_key, value_1
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
    select window_start, base_key as slice_key, output_index, n, sum_prediction, sum_label, sum_error, sum_abs_error, sum_sq_error, n_nonzero, sum_ape, sum_sape, sum_abs_label, label_min, label_max, max_abs_error
    from cells
    union all
    select window_start, base_key + 52 + value_1, output_index, n, sum_prediction, sum_label, sum_error, sum_abs_error, sum_sq_error, n_nonzero, sum_ape, sum_sape, sum_abs_label, label_min, label_max, max_abs_error
    from cells

),

-- each group's sums
totals as (
    select
        window_start, slice_key, output_index,
        cast(sum(n) as bigint) as n,
        sum(sum_prediction) as sum_prediction,
        sum(sum_label) as sum_label,
        sum(sum_error) as sum_error,
        sum(sum_abs_error) as sum_abs_error,
        sum(sum_sq_error) as sum_sq_error,
        min(label_min) as label_min,
        max(label_max) as label_max,
        cast(sum(n_nonzero) as bigint) as n_nonzero,
        sum(sum_ape) as sum_ape,
        sum(sum_sape) as sum_sape,
        sum(sum_abs_label) as sum_abs_label,
        max(max_abs_error) as max_abs_error
    from keyed_cells
    group by window_start, slice_key, output_index
),

-- each group's means, from its exact sums: the same values a mean over its rows would have
means as (
    select
        cast(floor(cast(extract(epoch from (window_start - cast('1970-01-01' as timestamp))) as double precision) / 3600 / 24) as bigint) * 1099511627776 + slice_key as group_key,
        output_index,
        cast(sum_label as double precision) / n as mean_label,
        cast(sum_error as double precision) / n as mean_error
    from totals
),

-- each row under each of its slices' keys, per output
sliced as (
    select base_group_key as group_key, 0 as output_index, label_0 as label, prediction_0 - label_0 as error, abs(prediction_0 - label_0) as abs_error
    from cell_rows
    where prediction_0 is not null and label_0 is not null
    union all
    select base_group_key + 52 + value_1, 0 as output_index, label_0 as label, prediction_0 - label_0 as error, abs(prediction_0 - label_0) as abs_error
    from cell_rows
    where prediction_0 is not null and label_0 is not null

    union all
    select base_group_key as group_key, 1 as output_index, label_1 as label, prediction_1 - label_1 as error, abs(prediction_1 - label_1) as abs_error
    from cell_rows
    where prediction_1 is not null and label_1 is not null
    union all
    select base_group_key + 52 + value_1, 1 as output_index, label_1 as label, prediction_1 - label_1 as error, abs(prediction_1 - label_1) as abs_error
    from cell_rows
    where prediction_1 is not null and label_1 is not null

),

-- what needs each slice's own rows: squared deviations from its means, and order statistics
-- (macros/percentiles.sql)
spread as (
    select
        sliced.group_key,
        sliced.output_index,
        (sum(cast(trunc((sliced.label - means.mean_label) * (sliced.label - means.mean_label)) as bigint)) + sum(cast(round(((sliced.label - means.mean_label) * (sliced.label - means.mean_label) - trunc((sliced.label - means.mean_label) * (sliced.label - means.mean_label))) * 1e15) as bigint)) * 0.000000000000001) as ss_label,
        (sum(cast(trunc((sliced.error - means.mean_error) * (sliced.error - means.mean_error)) as bigint)) + sum(cast(round(((sliced.error - means.mean_error) * (sliced.error - means.mean_error) - trunc((sliced.error - means.mean_error) * (sliced.error - means.mean_error))) * 1e15) as bigint)) * 0.000000000000001) as ss_error,
        percentile_cont(0.5) within group (order by sliced.abs_error) as abs_error_p50,
        percentile_cont(0.9) within group (order by sliced.abs_error) as abs_error_p90,
        percentile_cont(0.99) within group (order by sliced.abs_error) as abs_error_p99
    from sliced as sliced
    join means
        on means.group_key = sliced.group_key
        and means.output_index = sliced.output_index
    group by sliced.group_key, sliced.output_index
),

summary as (
    select
        totals.*,
        case totals.output_index when 0 then 'price' when 1 then 'days_to_resale' end as output,
        spread.ss_label, spread.ss_error, spread.abs_error_p50, spread.abs_error_p90, spread.abs_error_p99
    from totals
    join spread
        on spread.group_key = cast(floor(cast(extract(epoch from (totals.window_start - cast('1970-01-01' as timestamp))) as double precision) / 3600 / 24) as bigint) * 1099511627776 + totals.slice_key
        and spread.output_index = totals.output_index
),

named_groups as (
    select
        case mod((keyed.slice_key) / (104), 1) when 0 then 'week' end as granularity,
        keyed.window_start,
        versions.model_version,
        case mod((keyed.slice_key) / (52), 2) when 1 then 'category' end as segment,
        case
            when mod(keyed.slice_key, 52) = 0 then cast(null as text)
            when mod(keyed.slice_key, 52) = 51 then '__other__'
            else ranks.segment_value
        end as segment_value,
        keyed.output, keyed.n, keyed.sum_prediction, keyed.sum_label, keyed.sum_error, keyed.sum_abs_error, keyed.sum_sq_error, keyed.n_nonzero, keyed.sum_ape, keyed.sum_sape, keyed.sum_abs_label, keyed.label_min, keyed.label_max, keyed.max_abs_error, keyed.ss_label, keyed.ss_error, keyed.abs_error_p50, keyed.abs_error_p90, keyed.abs_error_p99
    from summary as keyed
    left join model_versions as versions
        on versions.version_index = (keyed.slice_key) / (104)
    left join segment_ranks as ranks
        on ranks.window_start = keyed.window_start
        and ranks.granularity = case mod((keyed.slice_key) / (104), 1) when 0 then 'week' end
        and ranks.segment_index = mod((keyed.slice_key) / (52), 2)
        and ranks.value_rank = mod(keyed.slice_key, 52)

),

per_output_metrics as (
select
    granularity, window_start, model_version, segment, segment_value,
    'count' as metric,
    output as qualifier,
    cast(n as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mean_prediction' as metric,
    output as qualifier,
    cast(cast(sum_prediction as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mean_label' as metric,
    output as qualifier,
    cast(cast(sum_label as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mean_error' as metric,
    output as qualifier,
    cast(cast(sum_error as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mae' as metric,
    output as qualifier,
    cast(cast(sum_abs_error as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mse' as metric,
    output as qualifier,
    cast(cast(sum_sq_error as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'rmse' as metric,
    output as qualifier,
    cast(sqrt(cast(sum_sq_error as double precision) / nullif(n, 0)) as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'r2' as metric,
    output as qualifier,
    cast(case when not (label_min = label_max) then 1 - cast(sum_sq_error as double precision) / nullif(ss_label, 0) end as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'explained_variance' as metric,
    output as qualifier,
    cast(case when not (label_min = label_max) then 1 - cast(ss_error as double precision) / nullif(ss_label, 0) end as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mape' as metric,
    output as qualifier,
    cast(cast(sum_ape as double precision) / nullif(n_nonzero, 0) as double precision) as value,
    cast(n_nonzero as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'smape' as metric,
    output as qualifier,
    cast(cast(sum_sape as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'wape' as metric,
    output as qualifier,
    cast(cast(sum_abs_error as double precision) / nullif(sum_abs_label, 0) as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'median_absolute_error' as metric,
    output as qualifier,
    cast(abs_error_p50 as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'max_error' as metric,
    output as qualifier,
    cast(max_abs_error as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'abs_error_p90' as metric,
    output as qualifier,
    cast(abs_error_p90 as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'abs_error_p99' as metric,
    output as qualifier,
    cast(abs_error_p99 as double precision) as value,
    cast(n as bigint) as sample_size,
    n
from named_groups
)

select granularity, window_start, model_version, segment, segment_value, metric, qualifier, value, sample_size
from per_output_metrics
union all
-- the uniform average over outputs (scikit-learn's multioutput='uniform_average'), NULLs left
-- out; `count` is the largest output's, like every average row's sample size
select
    granularity, window_start, model_version, segment, segment_value,
    metric,
    cast(null as text),
    case when metric = 'count' then cast(max(n) as double precision) else cast((sum(cast(trunc(value) as bigint)) + sum(cast(round((value - trunc(value)) * 1e15) as bigint)) * 0.000000000000001) as double precision) / nullif(count(value), 0) end,
    max(n)
from per_output_metrics
group by granularity, window_start, model_version, segment, segment_value, metric

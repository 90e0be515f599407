-- Regression metrics of monitor resale, per window, model version, slice and output.
-- Formulas are in macros/regression.sql. Sums of doubles are exact (d.exactSum), so the values
-- never depend on row order; means used inside sums of squares are exact too.
with segment_ranks as (
    select
        'week' as granularity,
        'category' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value collate "C"
        ) as value_rank
    from (
        select date_trunc('week', predicted_at) as window_start, "category" as segment_value
        from "hindsight"."hs_resale__evaluations_00000000"
        where "category" is not null
    ) as segment_values
    group by window_start, segment_value

),

sliced as (
    select
        'week' as granularity,
        date_trunc('week', evaluated.predicted_at) as window_start,
        evaluated.model_version,
        cast(null as text) as segment,
        cast(null as text) as segment_value,
        evaluated."predicted_price", evaluated."sale_price", evaluated."predicted_days", evaluated."days_listed"
    from "hindsight"."hs_resale__evaluations_00000000" as evaluated
    where evaluated.label_status = 'observed'
    union all
    select
        'week',
        date_trunc('week', evaluated.predicted_at),
        evaluated.model_version,
        'category',
        case
            when evaluated."category" is null then null
            when ranks.value_rank <= 50 then evaluated."category"
            else '__other__'
        end,
        evaluated."predicted_price", evaluated."sale_price", evaluated."predicted_days", evaluated."days_listed"
    from "hindsight"."hs_resale__evaluations_00000000" as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'week'
        and ranks.segment = 'category'
        and ranks.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks.segment_value = evaluated."category"
    where evaluated.label_status = 'observed'

),

-- one row per evaluated prediction and output; a NULL label leaves the row out of that output only
per_output as (
    select
        granularity, window_start, model_version, segment, segment_value,
        'price' as output,
        "predicted_price" as prediction,
        "sale_price" as label
    from sliced
    where "predicted_price" is not null
        and "sale_price" is not null
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'days_to_resale' as output,
        "predicted_days" as prediction,
        "days_listed" as label
    from sliced
    where "predicted_days" is not null
        and "days_listed" is not null
),

errors as (
    select
        granularity, window_start, model_version, segment, segment_value,
        output,
        prediction,
        label,
        prediction - label as error,
        abs(prediction - label) as abs_error,
        cast(sum(cast(label as decimal(38, 15))) over (partition by granularity, window_start, model_version, segment, segment_value, output) as double precision) / count(*) over (partition by granularity, window_start, model_version, segment, segment_value, output) as mean_label,
        cast(sum(cast(prediction - label as decimal(38, 15))) over (partition by granularity, window_start, model_version, segment, segment_value, output) as double precision) / count(*) over (partition by granularity, window_start, model_version, segment, segment_value, output) as mean_error
    from per_output
),

summary as (
    select
        granularity, window_start, model_version, segment, segment_value,
        output,
        count(*) as n,
        sum(cast(prediction as decimal(38, 15))) as sum_prediction,
        sum(cast(label as decimal(38, 15))) as sum_label,
        sum(cast(error as decimal(38, 15))) as sum_error,
        sum(cast(abs_error as decimal(38, 15))) as sum_abs_error,
        sum(cast(error * error as decimal(38, 15))) as sum_sq_error,
        sum(cast((label - mean_label) * (label - mean_label) as decimal(38, 15))) as ss_label,
        sum(cast((error - mean_error) * (error - mean_error) as decimal(38, 15))) as ss_error,
        min(label) as label_min,
        max(label) as label_max,
        sum(case when label <> 0 then 1 else 0 end) as n_nonzero,
        sum(cast(case when label <> 0 then abs_error / abs(label) end as decimal(38, 15))) as sum_ape,
        sum(cast(case when abs(prediction) + abs(label) = 0 then 0 else 2 * abs_error / (abs(prediction) + abs(label)) end as decimal(38, 15))) as sum_sape,
        sum(cast(abs(label) as decimal(38, 15))) as sum_abs_label,
        max(abs_error) as max_abs_error,
        percentile_cont(0.5) within group (order by abs_error) as abs_error_p50,
        percentile_cont(0.9) within group (order by abs_error) as abs_error_p90,
        percentile_cont(0.99) within group (order by abs_error) as abs_error_p99
    from errors
    group by granularity, window_start, model_version, segment, segment_value, output
),

per_output_metrics as (
    select
        granularity, window_start, model_version, segment, segment_value,
        'count' as metric,
        output as qualifier,
        cast(n as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'mean_prediction' as metric,
        output as qualifier,
        cast(cast(sum_prediction as double precision) / nullif(n, 0) as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'mean_label' as metric,
        output as qualifier,
        cast(cast(sum_label as double precision) / nullif(n, 0) as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'mean_error' as metric,
        output as qualifier,
        cast(cast(sum_error as double precision) / nullif(n, 0) as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'mae' as metric,
        output as qualifier,
        cast(cast(sum_abs_error as double precision) / nullif(n, 0) as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'mse' as metric,
        output as qualifier,
        cast(cast(sum_sq_error as double precision) / nullif(n, 0) as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'rmse' as metric,
        output as qualifier,
        cast(sqrt(cast(sum_sq_error as double precision) / nullif(n, 0)) as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'r2' as metric,
        output as qualifier,
        cast(case when not (label_min = label_max) then 1 - cast(sum_sq_error as double precision) / nullif(ss_label, 0) end as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'explained_variance' as metric,
        output as qualifier,
        cast(case when not (label_min = label_max) then 1 - cast(ss_error as double precision) / nullif(ss_label, 0) end as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'mape' as metric,
        output as qualifier,
        cast(cast(sum_ape as double precision) / nullif(n_nonzero, 0) as double precision) as value,
        cast(n_nonzero as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'smape' as metric,
        output as qualifier,
        cast(cast(sum_sape as double precision) / nullif(n, 0) as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'wape' as metric,
        output as qualifier,
        cast(cast(sum_abs_error as double precision) / nullif(sum_abs_label, 0) as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'median_absolute_error' as metric,
        output as qualifier,
        cast(abs_error_p50 as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'max_error' as metric,
        output as qualifier,
        cast(max_abs_error as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'abs_error_p90' as metric,
        output as qualifier,
        cast(abs_error_p90 as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
    union all
    select
        granularity, window_start, model_version, segment, segment_value,
        'abs_error_p99' as metric,
        output as qualifier,
        cast(abs_error_p99 as double precision) as value,
        cast(n as bigint) as sample_size,
        n
    from summary
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
    case when metric = 'count' then cast(max(n) as double precision) else cast(sum(cast(value as decimal(38, 15))) as double precision) / nullif(count(value), 0) end,
    max(n)
from per_output_metrics
group by granularity, window_start, model_version, segment, segment_value, metric

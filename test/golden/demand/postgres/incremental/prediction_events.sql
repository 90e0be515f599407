-- Forecast rows of monitor weekly_demand: the configured columns under hindsight's names, the
-- monitor's filter applied and nothing written after the run's as-of time (published_at).
-- A forecast is identified by its series, forecast_time and target_time; duplicate_rank = 1 marks
-- the row kept for it (latest published_at wins, then ties broken on the values, docs/semantics.md §5d).
with events as (
    select
        "store_id",
        "category",
        cast("forecast_at" as timestamp) as forecast_time,
        cast("week_start" as timestamp) as target_time,
        cast("published_at" as timestamp) as logged_at,
        cast("model_version" as text) as model_version,
        case when cast("units" as double precision) between -1e308 and 1e308 or cast("units" as double precision) is null then cast("units" as double precision) else cast('predictions.prediction must be a finite number from -1e308 to 1e308; got ' || cast(cast("units" as double precision) as text) as integer) end as prediction,
        case when cast("p10" as double precision) between -1e308 and 1e308 or cast("p10" as double precision) is null then cast("p10" as double precision) else cast('predictions.interval.lower must be a finite number from -1e308 to 1e308; got ' || cast(cast("p10" as double precision) as text) as integer) end as interval_lower,
        case when cast("p90" as double precision) between -1e308 and 1e308 or cast("p90" as double precision) is null then cast("p90" as double precision) else cast('predictions.interval.upper must be a finite number from -1e308 to 1e308; got ' || cast(cast("p90" as double precision) as text) as integer) end as interval_upper,
        case when cast("p10" as double precision) between -1e308 and 1e308 or cast("p10" as double precision) is null then cast("p10" as double precision) else cast('predictions.quantiles.0.1 must be a finite number from -1e308 to 1e308; got ' || cast(cast("p10" as double precision) as text) as integer) end as "p10",
        case when cast("p50" as double precision) between -1e308 and 1e308 or cast("p50" as double precision) is null then cast("p50" as double precision) else cast('predictions.quantiles.0.5 must be a finite number from -1e308 to 1e308; got ' || cast(cast("p50" as double precision) as text) as integer) end as "p50",
        case when cast("p90" as double precision) between -1e308 and 1e308 or cast("p90" as double precision) is null then cast("p90" as double precision) else cast('predictions.quantiles.0.9 must be a finite number from -1e308 to 1e308; got ' || cast(cast("p90" as double precision) as text) as integer) end as "p90",
        cast("region" as text) as "region",
        -- whole horizon units (weeks) from the forecast to its target, rounded up
        cast(ceil(cast(extract(epoch from (cast("week_start" as timestamp) - cast("forecast_at" as timestamp))) as double precision) / 3600 / 168) as bigint) as horizon
    from "raw"."demand_forecasts"
    where "published_at" <= timestamp '2026-11-21 00:00:00'
        and "week_start" >= timestamp '2026-11-01 00:00:00'
        and "store_id" is not null
        and "category" is not null
        and "forecast_at" is not null
        and "week_start" is not null
)

select
    events.*,
    row_number() over (
        partition by events."store_id", events."category", events.forecast_time, events.target_time
        order by
            events.logged_at desc,
            events.prediction desc nulls last,
            events.model_version collate "C" nulls last,
            events."region" collate "C" nulls last,
            events.interval_lower desc nulls last,
            events.interval_upper desc nulls last,
            events."p10" desc nulls last,
            events."p50" desc nulls last,
            events."p90" desc nulls last
    ) as duplicate_rank
from events

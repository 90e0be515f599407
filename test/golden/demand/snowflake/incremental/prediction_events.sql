-- Forecast rows of monitor weekly_demand: the configured columns under hindsight's names, the
-- monitor's filter applied and nothing written after the run's as-of time (published_at).
-- A forecast is identified by its series, forecast_time and target_time; duplicate_rank = 1 marks
-- the row kept for it (latest published_at wins, then ties broken on the values, docs/semantics.md §5d).
with events as (
    select
        store_id,
        category,
        cast(convert_timezone('UTC', cast(forecast_at as timestamp_tz)) as timestamp_ntz) as forecast_time,
        cast(convert_timezone('UTC', cast(week_start as timestamp_tz)) as timestamp_ntz) as target_time,
        cast(convert_timezone('UTC', cast(published_at as timestamp_tz)) as timestamp_ntz) as logged_at,
        cast(model_version as varchar) as model_version,
        case when cast(units as float) between -1e308 and 1e308 or cast(units as float) is null then cast(units as float) else cast('predictions.prediction must be a finite number from -1e308 to 1e308; got ' || cast(cast(units as float) as varchar) as number) end as prediction,
        case when cast(p10 as float) between -1e308 and 1e308 or cast(p10 as float) is null then cast(p10 as float) else cast('predictions.interval.lower must be a finite number from -1e308 to 1e308; got ' || cast(cast(p10 as float) as varchar) as number) end as interval_lower,
        case when cast(p90 as float) between -1e308 and 1e308 or cast(p90 as float) is null then cast(p90 as float) else cast('predictions.interval.upper must be a finite number from -1e308 to 1e308; got ' || cast(cast(p90 as float) as varchar) as number) end as interval_upper,
        case when cast(p10 as float) between -1e308 and 1e308 or cast(p10 as float) is null then cast(p10 as float) else cast('predictions.quantiles.0.1 must be a finite number from -1e308 to 1e308; got ' || cast(cast(p10 as float) as varchar) as number) end as p10,
        case when cast(p50 as float) between -1e308 and 1e308 or cast(p50 as float) is null then cast(p50 as float) else cast('predictions.quantiles.0.5 must be a finite number from -1e308 to 1e308; got ' || cast(cast(p50 as float) as varchar) as number) end as p50,
        case when cast(p90 as float) between -1e308 and 1e308 or cast(p90 as float) is null then cast(p90 as float) else cast('predictions.quantiles.0.9 must be a finite number from -1e308 to 1e308; got ' || cast(cast(p90 as float) as varchar) as number) end as p90,
        cast(region as varchar) as region,
        -- whole horizon units (weeks) from the forecast to its target, rounded up
        cast(ceil(cast(date_part(epoch_microsecond, cast(convert_timezone('UTC', cast(week_start as timestamp_tz)) as timestamp_ntz)) - date_part(epoch_microsecond, cast(convert_timezone('UTC', cast(forecast_at as timestamp_tz)) as timestamp_ntz)) as float) / 3600000000 / 168) as number) as horizon
    from raw.demand_forecasts
    where published_at <= '2026-11-21 00:00:00'::timestamp_ntz
        and week_start >= '2026-11-01 00:00:00'::timestamp_ntz
        and store_id is not null
        and category is not null
        and forecast_at is not null
        and week_start is not null
)

select
    events.*,
    row_number() over (
        partition by events.store_id, events.category, events.forecast_time, events.target_time
        order by
            events.logged_at desc,
            events.prediction desc nulls last,
            collate(events.model_version, 'utf8') nulls last,
            collate(events.region, 'utf8') nulls last,
            events.interval_lower desc nulls last,
            events.interval_upper desc nulls last,
            events.p10 desc nulls last,
            events.p50 desc nulls last,
            events.p90 desc nulls last
    ) as duplicate_rank
from events

-- Prediction events of monitor resale: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        item_id,
        cast(convert_timezone('UTC', cast(predicted_at as timestamp_tz)) as timestamp_ntz) as predicted_at,
        case when cast(predicted_price as float) between -1e308 and 1e308 or cast(predicted_price as float) is null then cast(predicted_price as float) else cast('outputs.price.prediction must be a finite number from -1e308 to 1e308; got ' || cast(cast(predicted_price as float) as varchar) as number) end as predicted_price,
        case when cast(predicted_days as float) between -1e308 and 1e308 or cast(predicted_days as float) is null then cast(predicted_days as float) else cast('outputs.days_to_resale.prediction must be a finite number from -1e308 to 1e308; got ' || cast(cast(predicted_days as float) as varchar) as number) end as predicted_days,
        cast(model_version as varchar) as model_version,
        cast(category as varchar) as category
    from raw.resale_predictions
    where predicted_at <= '2026-11-21 00:00:00'::timestamp_ntz
        and item_id is not null
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by events.item_id
            order by
                events.predicted_at desc,
                events.predicted_price desc nulls last,
                events.predicted_days desc nulls last,
                collate(events.model_version, 'utf8') nulls last,
                collate(events.category, 'utf8') nulls last
        ) as duplicate_rank
    from events
)
select * from ranked

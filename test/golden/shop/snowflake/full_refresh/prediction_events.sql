-- Prediction events of monitor keep_probability: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        prediction_id,
        cast(convert_timezone('UTC', cast(predicted_at as timestamp_tz)) as timestamp_ntz) as predicted_at,
        case when cast(keep_probability as float) between -1e-9 and 1 + 1e-9 or cast(keep_probability as float) is null then cast(keep_probability as float) else cast('predictions.score must be a probability between 0 and 1 (map another scale into it in a `sql:` source); got ' || cast(cast(keep_probability as float) as varchar) as number) end as score,
        cast(model_version as varchar) as model_version,
        cast(customer_type as varchar) as customer_type,
        cast(region as varchar) as region
    from raw.prediction_events
    where predicted_at <= '2026-11-21 00:00:00'::timestamp_ntz
        and prediction_id is not null
        and (environment = 'production')
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by events.prediction_id
            order by
                events.predicted_at desc,
                events.score desc nulls last,
                collate(events.model_version, 'utf8') nulls last,
                collate(events.customer_type, 'utf8') nulls last,
                collate(events.region, 'utf8') nulls last
        ) as duplicate_rank
    from events
)
select * from ranked

-- Prediction events of monitor keep_probability: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        `prediction_id`,
        cast(`predicted_at` as timestamp) as predicted_at,
        case when cast(`keep_probability` as float64) between -1e-9 and 1 + 1e-9 or cast(`keep_probability` as float64) is null then cast(`keep_probability` as float64) else error('predictions.score must be a probability between 0 and 1 (map another scale into it in a `sql:` source); got ' || cast(cast(`keep_probability` as float64) as string)) end as score,
        cast(`model_version` as string) as model_version,
        cast(`customer_type` as string) as `customer_type`,
        cast(`region` as string) as `region`
    from `raw`.`prediction_events`
    where `predicted_at` < '2026-11-22' and cast(`predicted_at` as timestamp) <= timestamp '2026-11-21 00:00:00'
        and `prediction_id` is not null
        and (environment = 'production')
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by events.`prediction_id`
            order by
                events.predicted_at desc,
                events.score desc nulls last,
                events.model_version nulls last,
                events.`customer_type` nulls last,
                events.`region` nulls last
        ) as duplicate_rank
    from events
)
select * from ranked

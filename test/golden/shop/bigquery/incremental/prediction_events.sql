-- Prediction events of monitor keep_probability: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        `prediction_id`,
        cast(`predicted_at` as timestamp) as predicted_at,
        cast(`keep_probability` as float64) as score,
        cast(`model_version` as string) as model_version,
        cast(`customer_type` as string) as `customer_type`,
        cast(`region` as string) as `region`
    from `raw`.`prediction_events`
    where `predicted_at` <= timestamp '2026-11-21 00:00:00'
        and `predicted_at` >= timestamp '2026-11-02 00:00:00'
        and `prediction_id` is not null
        and (environment = 'production')
),

-- Keys already kept before the recomputed range: their events in it are duplicates. (A key has
-- one row in the evaluations table, so no distinct is needed.)
kept_earlier as (
    select `prediction_id`
    from `hindsight`.`keep_probability__evaluations`
    where predicted_at < timestamp '2026-11-02 00:00:00'
)
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
    ) + case when kept_earlier.`prediction_id` is null then 0 else 1 end as duplicate_rank
from events
left join kept_earlier
    on kept_earlier.`prediction_id` = events.`prediction_id`

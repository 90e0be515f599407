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
        and `predicted_at` >= '2026-11-13' and cast(`predicted_at` as timestamp) >= timestamp '2026-11-13 00:00:00'
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
),

-- Keys already kept before the evaluated range: their events in it are duplicates. (A key has
-- one row in the evaluations table, so no distinct is needed.) outcome_matches.sql's claimed_earlier
-- uses the same test.
kept_earlier as (
    select `prediction_id`
    from `hindsight`.`keep_probability__evaluations`
    where predicted_at < timestamp '2026-11-13 00:00:00'
)
-- Ranked first, joined after: the window over the join's output took 1.3-1.5x as long at 10M
-- predictions on DuckDB (bench/prototypes/incremental-profile.ts).
select
    ranked.`prediction_id`,
    ranked.predicted_at,
    ranked.score,
    ranked.model_version,
    ranked.`customer_type`,
    ranked.`region`,
    ranked.duplicate_rank + case when kept_earlier.`prediction_id` is null then 0 else 1 end as duplicate_rank
from ranked
left join kept_earlier
    on kept_earlier.`prediction_id` = ranked.`prediction_id`

-- Prediction events of monitor resale: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        `item_id`,
        cast(`predicted_at` as timestamp) as predicted_at,
        case when cast(`predicted_price` as float64) between -1e308 and 1e308 or cast(`predicted_price` as float64) is null then cast(`predicted_price` as float64) else error('outputs.price.prediction must be a finite number from -1e308 to 1e308; got ' || cast(cast(`predicted_price` as float64) as string)) end as `predicted_price`,
        case when cast(`predicted_days` as float64) between -1e308 and 1e308 or cast(`predicted_days` as float64) is null then cast(`predicted_days` as float64) else error('outputs.days_to_resale.prediction must be a finite number from -1e308 to 1e308; got ' || cast(cast(`predicted_days` as float64) as string)) end as `predicted_days`,
        cast(`model_version` as string) as model_version,
        cast(`category` as string) as `category`
    from `raw`.`resale_predictions`
    where `predicted_at` < '2026-11-22' and cast(`predicted_at` as timestamp) <= timestamp '2026-11-21 00:00:00'
        and `predicted_at` >= '2026-11-09' and cast(`predicted_at` as timestamp) >= timestamp '2026-11-09 00:00:00'
        and `item_id` is not null
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by events.`item_id`
            order by
                events.predicted_at desc,
                events.`predicted_price` desc nulls last,
                events.`predicted_days` desc nulls last,
                events.model_version nulls last,
                events.`category` nulls last
        ) as duplicate_rank
    from events
),

-- Keys already kept before the evaluated range: their events in it are duplicates. (A key has
-- one row in the evaluations table, so no distinct is needed.) outcome_matches.sql's claimed_earlier
-- uses the same test.
kept_earlier as (
    select `item_id`
    from `hindsight`.`resale__evaluations`
    where predicted_at < timestamp '2026-11-09 00:00:00'
)
-- Ranked first, joined after: the window over the join's output took 1.3-1.5x as long at 10M
-- predictions on DuckDB (bench/prototypes/incremental-profile.ts).
select
    ranked.`item_id`,
    ranked.predicted_at,
    ranked.`predicted_price`,
    ranked.`predicted_days`,
    ranked.model_version,
    ranked.`category`,
    ranked.duplicate_rank + case when kept_earlier.`item_id` is null then 0 else 1 end as duplicate_rank
from ranked
left join kept_earlier
    on kept_earlier.`item_id` = ranked.`item_id`

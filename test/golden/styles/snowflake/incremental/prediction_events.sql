-- Prediction events of monitor favorite_category: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        request_id,
        cast(convert_timezone('UTC', cast(predicted_at as timestamp_tz)) as timestamp_ntz) as predicted_at,
        cast(predicted_category as varchar) as predicted_class,
        case when cast(p_shirt as float) between -1e-9 and 1e300 or cast(p_shirt as float) is null then cast(p_shirt as float) else cast('predictions.class_scores.shirt must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast(p_shirt as float) as varchar) as number) end as p_shirt,
        case when cast(p_pants as float) between -1e-9 and 1e300 or cast(p_pants as float) is null then cast(p_pants as float) else cast('predictions.class_scores.pants must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast(p_pants as float) as varchar) as number) end as p_pants,
        case when cast(p_dress as float) between -1e-9 and 1e300 or cast(p_dress as float) is null then cast(p_dress as float) else cast('predictions.class_scores.dress must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast(p_dress as float) as varchar) as number) end as p_dress,
        case when cast(p_knitwear as float) between -1e-9 and 1e300 or cast(p_knitwear as float) is null then cast(p_knitwear as float) else cast('predictions.class_scores.knitwear must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast(p_knitwear as float) as varchar) as number) end as p_knitwear,
        case when cast(p_outerwear as float) between -1e-9 and 1e300 or cast(p_outerwear as float) is null then cast(p_outerwear as float) else cast('predictions.class_scores.outerwear must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast(p_outerwear as float) as varchar) as number) end as p_outerwear,
        cast(model_version as varchar) as model_version,
        cast(customer_type as varchar) as customer_type,
        cast(region as varchar) as region
    from raw.category_predictions
    where predicted_at <= '2026-11-21 00:00:00'::timestamp_ntz
        and predicted_at >= '2026-11-09 00:00:00'::timestamp_ntz
        and request_id is not null
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by events.request_id
            order by
                events.predicted_at desc,
                collate(events.predicted_class, 'utf8') desc nulls last,
                events.p_shirt desc nulls last,
                events.p_pants desc nulls last,
                events.p_dress desc nulls last,
                events.p_knitwear desc nulls last,
                events.p_outerwear desc nulls last,
                collate(events.model_version, 'utf8') nulls last,
                collate(events.customer_type, 'utf8') nulls last,
                collate(events.region, 'utf8') nulls last
        ) as duplicate_rank
    from events
),

-- Keys already kept before the evaluated range: their events in it are duplicates. (A key has
-- one row in the evaluations table, so no distinct is needed.) outcome_matches.sql's claimed_earlier
-- uses the same test.
kept_earlier as (
    select request_id
    from hindsight.favorite_category__evaluations
    where predicted_at < '2026-11-09 00:00:00'::timestamp_ntz
)
-- Ranked first, joined after: the window over the join's output took 1.3-1.5x as long at 10M
-- predictions on DuckDB (bench/prototypes/incremental-profile.ts).
select
    ranked.request_id,
    ranked.predicted_at,
    ranked.predicted_class,
    ranked.p_shirt,
    ranked.p_pants,
    ranked.p_dress,
    ranked.p_knitwear,
    ranked.p_outerwear,
    ranked.model_version,
    ranked.customer_type,
    ranked.region,
    ranked.duplicate_rank + case when kept_earlier.request_id is null then 0 else 1 end as duplicate_rank
from ranked
left join kept_earlier
    on kept_earlier.request_id = ranked.request_id

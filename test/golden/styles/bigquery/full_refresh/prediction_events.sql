-- Prediction events of monitor favorite_category: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        `request_id`,
        cast(`predicted_at` as timestamp) as predicted_at,
        cast(`predicted_category` as string) as predicted_class,
        case when cast(`p_shirt` as float64) between -1e-9 and 1e300 or cast(`p_shirt` as float64) is null then cast(`p_shirt` as float64) else error('predictions.class_scores.shirt must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast(`p_shirt` as float64) as string)) end as `p_shirt`,
        case when cast(`p_pants` as float64) between -1e-9 and 1e300 or cast(`p_pants` as float64) is null then cast(`p_pants` as float64) else error('predictions.class_scores.pants must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast(`p_pants` as float64) as string)) end as `p_pants`,
        case when cast(`p_dress` as float64) between -1e-9 and 1e300 or cast(`p_dress` as float64) is null then cast(`p_dress` as float64) else error('predictions.class_scores.dress must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast(`p_dress` as float64) as string)) end as `p_dress`,
        case when cast(`p_knitwear` as float64) between -1e-9 and 1e300 or cast(`p_knitwear` as float64) is null then cast(`p_knitwear` as float64) else error('predictions.class_scores.knitwear must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast(`p_knitwear` as float64) as string)) end as `p_knitwear`,
        case when cast(`p_outerwear` as float64) between -1e-9 and 1e300 or cast(`p_outerwear` as float64) is null then cast(`p_outerwear` as float64) else error('predictions.class_scores.outerwear must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast(`p_outerwear` as float64) as string)) end as `p_outerwear`,
        cast(`model_version` as string) as model_version,
        cast(`customer_type` as string) as `customer_type`,
        cast(`region` as string) as `region`
    from `raw`.`category_predictions`
    where `predicted_at` < '2026-11-22' and cast(`predicted_at` as timestamp) <= timestamp '2026-11-21 00:00:00'
        and `request_id` is not null
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by events.`request_id`
            order by
                events.predicted_at desc,
                events.predicted_class desc nulls last,
                events.`p_shirt` desc nulls last,
                events.`p_pants` desc nulls last,
                events.`p_dress` desc nulls last,
                events.`p_knitwear` desc nulls last,
                events.`p_outerwear` desc nulls last,
                events.model_version nulls last,
                events.`customer_type` nulls last,
                events.`region` nulls last
        ) as duplicate_rank
    from events
)
select * from ranked

-- Prediction events of monitor favorite_category: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        "request_id",
        cast("predicted_at" as timestamp) as predicted_at,
        cast("predicted_category" as text) as predicted_class,
        case when cast("p_shirt" as double precision) between -1e-9 and 1e300 or cast("p_shirt" as double precision) is null then cast("p_shirt" as double precision) else cast('predictions.class_scores.shirt must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast("p_shirt" as double precision) as text) as integer) end as "p_shirt",
        case when cast("p_pants" as double precision) between -1e-9 and 1e300 or cast("p_pants" as double precision) is null then cast("p_pants" as double precision) else cast('predictions.class_scores.pants must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast("p_pants" as double precision) as text) as integer) end as "p_pants",
        case when cast("p_dress" as double precision) between -1e-9 and 1e300 or cast("p_dress" as double precision) is null then cast("p_dress" as double precision) else cast('predictions.class_scores.dress must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast("p_dress" as double precision) as text) as integer) end as "p_dress",
        case when cast("p_knitwear" as double precision) between -1e-9 and 1e300 or cast("p_knitwear" as double precision) is null then cast("p_knitwear" as double precision) else cast('predictions.class_scores.knitwear must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast("p_knitwear" as double precision) as text) as integer) end as "p_knitwear",
        case when cast("p_outerwear" as double precision) between -1e-9 and 1e300 or cast("p_outerwear" as double precision) is null then cast("p_outerwear" as double precision) else cast('predictions.class_scores.outerwear must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || cast(cast("p_outerwear" as double precision) as text) as integer) end as "p_outerwear",
        cast("model_version" as text) as model_version,
        cast("customer_type" as text) as "customer_type",
        cast("region" as text) as "region"
    from "raw"."category_predictions"
    where "predicted_at" <= timestamp '2026-11-21 00:00:00'
        and "request_id" is not null
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by events."request_id"
            order by
                events.predicted_at desc,
                events.predicted_class collate "C" desc nulls last,
                events."p_shirt" desc nulls last,
                events."p_pants" desc nulls last,
                events."p_dress" desc nulls last,
                events."p_knitwear" desc nulls last,
                events."p_outerwear" desc nulls last,
                events.model_version collate "C" nulls last,
                events."customer_type" collate "C" nulls last,
                events."region" collate "C" nulls last
        ) as duplicate_rank
    from events
)
select * from ranked

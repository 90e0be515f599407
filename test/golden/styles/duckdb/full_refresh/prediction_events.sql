-- Prediction events of monitor favorite_category: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        "request_id",
        cast("predicted_at" as timestamp) as predicted_at,
        case when typeof("predicted_category") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("predicted_category" as varchar), '\.0$', '') else cast("predicted_category" as varchar) end as predicted_class,
        case when cast("p_shirt" as double) between -1e-9 and 1e300 or cast("p_shirt" as double) is null then cast("p_shirt" as double) else error('predictions.class_scores.shirt must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || case when typeof(cast("p_shirt" as double)) in ('DOUBLE', 'FLOAT') then regexp_replace(cast(cast("p_shirt" as double) as varchar), '\.0$', '') else cast(cast("p_shirt" as double) as varchar) end) end as "p_shirt",
        case when cast("p_pants" as double) between -1e-9 and 1e300 or cast("p_pants" as double) is null then cast("p_pants" as double) else error('predictions.class_scores.pants must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || case when typeof(cast("p_pants" as double)) in ('DOUBLE', 'FLOAT') then regexp_replace(cast(cast("p_pants" as double) as varchar), '\.0$', '') else cast(cast("p_pants" as double) as varchar) end) end as "p_pants",
        case when cast("p_dress" as double) between -1e-9 and 1e300 or cast("p_dress" as double) is null then cast("p_dress" as double) else error('predictions.class_scores.dress must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || case when typeof(cast("p_dress" as double)) in ('DOUBLE', 'FLOAT') then regexp_replace(cast(cast("p_dress" as double) as varchar), '\.0$', '') else cast(cast("p_dress" as double) as varchar) end) end as "p_dress",
        case when cast("p_knitwear" as double) between -1e-9 and 1e300 or cast("p_knitwear" as double) is null then cast("p_knitwear" as double) else error('predictions.class_scores.knitwear must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || case when typeof(cast("p_knitwear" as double)) in ('DOUBLE', 'FLOAT') then regexp_replace(cast(cast("p_knitwear" as double) as varchar), '\.0$', '') else cast(cast("p_knitwear" as double) as varchar) end) end as "p_knitwear",
        case when cast("p_outerwear" as double) between -1e-9 and 1e300 or cast("p_outerwear" as double) is null then cast("p_outerwear" as double) else error('predictions.class_scores.outerwear must be a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source); got ' || case when typeof(cast("p_outerwear" as double)) in ('DOUBLE', 'FLOAT') then regexp_replace(cast(cast("p_outerwear" as double) as varchar), '\.0$', '') else cast(cast("p_outerwear" as double) as varchar) end) end as "p_outerwear",
        case when typeof("model_version") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("model_version" as varchar), '\.0$', '') else cast("model_version" as varchar) end as model_version,
        case when typeof("customer_type") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("customer_type" as varchar), '\.0$', '') else cast("customer_type" as varchar) end as "customer_type",
        case when typeof("region") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("region" as varchar), '\.0$', '') else cast("region" as varchar) end as "region"
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
                events.predicted_class desc nulls last,
                events."p_shirt" desc nulls last,
                events."p_pants" desc nulls last,
                events."p_dress" desc nulls last,
                events."p_knitwear" desc nulls last,
                events."p_outerwear" desc nulls last,
                events.model_version nulls last,
                events."customer_type" nulls last,
                events."region" nulls last
        ) as duplicate_rank
    from events
)
select * from ranked

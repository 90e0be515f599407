-- Prediction events of monitor keep_probability: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        "prediction_id",
        cast("predicted_at" as timestamp) as predicted_at,
        case when cast("keep_probability" as double) between -1e-9 and 1 + 1e-9 or cast("keep_probability" as double) is null then cast("keep_probability" as double) else error('predictions.score must be a probability between 0 and 1 (map another scale into it in a `sql:` source); got ' || case when typeof(cast("keep_probability" as double)) in ('DOUBLE', 'FLOAT') then regexp_replace(cast(cast("keep_probability" as double) as varchar), '\.0$', '') else cast(cast("keep_probability" as double) as varchar) end) end as score,
        case when typeof("model_version") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("model_version" as varchar), '\.0$', '') else cast("model_version" as varchar) end as model_version,
        case when typeof("customer_type") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("customer_type" as varchar), '\.0$', '') else cast("customer_type" as varchar) end as "customer_type",
        case when typeof("region") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("region" as varchar), '\.0$', '') else cast("region" as varchar) end as "region"
    from "raw"."prediction_events"
    where "predicted_at" <= timestamp '2026-11-21 00:00:00'
        and "prediction_id" is not null
        and (environment = 'production')
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by events."prediction_id"
            order by
                events.predicted_at desc,
                events.score desc nulls last,
                events.model_version nulls last,
                events."customer_type" nulls last,
                events."region" nulls last
        ) as duplicate_rank
    from events
)
select * from ranked

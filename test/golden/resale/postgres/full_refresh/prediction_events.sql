-- Prediction events of monitor resale: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key (latest predicted_at wins).
with events as (
    select
        "item_id",
        cast("predicted_at" as timestamp) as predicted_at,
        case when cast("predicted_price" as double precision) between -1e308 and 1e308 or cast("predicted_price" as double precision) is null then cast("predicted_price" as double precision) else cast('outputs.price.prediction must be a finite number from -1e308 to 1e308; got ' || cast(cast("predicted_price" as double precision) as text) as integer) end as "predicted_price",
        case when cast("predicted_days" as double precision) between -1e308 and 1e308 or cast("predicted_days" as double precision) is null then cast("predicted_days" as double precision) else cast('outputs.days_to_resale.prediction must be a finite number from -1e308 to 1e308; got ' || cast(cast("predicted_days" as double precision) as text) as integer) end as "predicted_days",
        cast("model_version" as text) as model_version,
        cast("category" as text) as "category"
    from "raw"."resale_predictions"
    where "predicted_at" <= timestamp '2026-11-21 00:00:00'
        and "item_id" is not null
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by events."item_id"
            order by
                events.predicted_at desc,
                events."predicted_price" desc nulls last,
                events."predicted_days" desc nulls last,
                events.model_version collate "C" nulls last,
                events."category" collate "C" nulls last
        ) as duplicate_rank
    from events
)
select * from ranked

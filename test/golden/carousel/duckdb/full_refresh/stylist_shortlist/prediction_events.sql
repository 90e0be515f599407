-- List rows of monitor stylist_shortlist: one row per recommended item under hindsight's names, the
-- monitor's filter applied and nothing after the run's as-of time. The rows of a request that share
-- timestamp, version, match columns, anchor item and segment values are one copy of its list;
-- copy_rank = 1 marks the kept copy (latest generated_at wins).
with events as (
    select
        "shortlist_id",
        "customer_id",
        cast("generated_at" as timestamp) as predicted_at,
        case when typeof("item_id") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("item_id" as varchar), '\.0$', '') else cast("item_id" as varchar) end as item,
        cast("rank" as double) as list_rank,
        cast("score" as double) as score,
        -- the match columns as text, to order copies
        case when typeof("customer_id") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("customer_id" as varchar), '\.0$', '') else cast("customer_id" as varchar) end as hs_match_0,
        case when typeof("model_version") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("model_version" as varchar), '\.0$', '') else cast("model_version" as varchar) end as model_version,
        case when typeof("customer_type") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("customer_type" as varchar), '\.0$', '') else cast("customer_type" as varchar) end as "customer_type"
    from "raw"."stylist_shortlists"
    where "generated_at" <= timestamp '2026-11-21 00:00:00'
        and "shortlist_id" is not null
        and "customer_id" is not null
        and "item_id" is not null
        and "rank" is not null
)
select
    events.*,
    dense_rank() over (
        partition by events."shortlist_id"
        order by
            events.predicted_at desc,
            events.model_version nulls last,
            events.hs_match_0 nulls last,
            events."customer_type" nulls last
    ) as copy_rank
from events

-- List rows of monitor also_kept: one row per recommended item under hindsight's names, the
-- monitor's filter applied and nothing after the run's as-of time. The rows of a request that share
-- timestamp, version, match columns, anchor item and segment values are one copy of its list;
-- copy_rank = 1 marks the kept copy (latest shown_at wins).
with events as (
    select
        "impression_id",
        "customer_id",
        cast("shown_at" as timestamp) as predicted_at,
        case when typeof("item_id") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("item_id" as varchar), '\.0$', '') else cast("item_id" as varchar) end as item,
        cast("position" as double) as list_rank,
        cast("score" as double) as score,
        case when typeof("viewed_item_id") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("viewed_item_id" as varchar), '\.0$', '') else cast("viewed_item_id" as varchar) end as anchor_item,
        -- the match columns as text, to order copies
        case when typeof("customer_id") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("customer_id" as varchar), '\.0$', '') else cast("customer_id" as varchar) end as hs_match_0,
        case when typeof("model_version") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("model_version" as varchar), '\.0$', '') else cast("model_version" as varchar) end as model_version,
        case when typeof("device") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("device" as varchar), '\.0$', '') else cast("device" as varchar) end as "device",
        case when typeof("viewed_category") in ('DOUBLE', 'FLOAT') then regexp_replace(cast("viewed_category" as varchar), '\.0$', '') else cast("viewed_category" as varchar) end as "viewed_category"
    from "raw"."carousel_impressions"
    where "shown_at" <= timestamp '2026-11-21 00:00:00'
        and "impression_id" is not null
        and "customer_id" is not null
        and "item_id" is not null
        and "position" is not null
)
select
    events.*,
    dense_rank() over (
        partition by events."impression_id"
        order by
            events.predicted_at desc,
            events.model_version nulls last,
            events.hs_match_0 nulls last,
            events.anchor_item nulls last,
            events."device" nulls last,
            events."viewed_category" nulls last
    ) as copy_rank
from events

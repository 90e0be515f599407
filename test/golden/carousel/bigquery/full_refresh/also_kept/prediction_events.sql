-- List rows of monitor also_kept: one row per recommended item under hindsight's names, the
-- monitor's filter applied and nothing after the run's as-of time. The rows of a request that share
-- timestamp, version, match columns, anchor item and segment values are one copy of its list;
-- copy_rank = 1 marks the kept copy (latest shown_at wins).
with events as (
    select
        `impression_id`,
        `customer_id`,
        cast(`shown_at` as timestamp) as predicted_at,
        cast(`item_id` as string) as item,
        cast(`position` as float64) as list_rank,
        cast(`score` as float64) as score,
        cast(`viewed_item_id` as string) as anchor_item,
        -- the match columns as text, to order copies
        cast(`customer_id` as string) as hs_match_0,
        cast(`model_version` as string) as model_version,
        cast(`device` as string) as `device`,
        cast(`viewed_category` as string) as `viewed_category`
    from `raw`.`carousel_impressions`
    where `shown_at` < '2026-11-22' and cast(`shown_at` as timestamp) <= timestamp '2026-11-21 00:00:00'
        and `impression_id` is not null
        and `customer_id` is not null
        and `item_id` is not null
        and `position` is not null
)
select
    events.*,
    dense_rank() over (
        partition by events.`impression_id`
        order by
            events.predicted_at desc,
            events.model_version nulls last,
            events.hs_match_0 nulls last,
            events.anchor_item nulls last,
            events.`device` nulls last,
            events.`viewed_category` nulls last
    ) as copy_rank
from events

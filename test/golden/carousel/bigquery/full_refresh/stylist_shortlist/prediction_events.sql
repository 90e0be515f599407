-- List rows of monitor stylist_shortlist: one row per recommended item under hindsight's names, the
-- monitor's filter applied and nothing after the run's as-of time. The rows of a request that share
-- timestamp, version, match columns, anchor item and segment values are one copy of its list;
-- copy_rank = 1 marks the kept copy (latest generated_at wins).
with events as (
    select
        `shortlist_id`,
        `customer_id`,
        cast(`generated_at` as timestamp) as predicted_at,
        cast(`item_id` as string) as item,
        cast(`rank` as float64) as list_rank,
        cast(`score` as float64) as score,
        -- the match columns as text, to order copies
        cast(`customer_id` as string) as hs_match_0,
        cast(`model_version` as string) as model_version,
        cast(`customer_type` as string) as `customer_type`
    from `raw`.`stylist_shortlists`
    where `generated_at` < '2026-11-22' and cast(`generated_at` as timestamp) <= timestamp '2026-11-21 00:00:00'
        and `shortlist_id` is not null
        and `customer_id` is not null
        and `item_id` is not null
        and `rank` is not null
)
select
    events.*,
    dense_rank() over (
        partition by events.`shortlist_id`
        order by
            events.predicted_at desc,
            events.model_version nulls last,
            events.hs_match_0 nulls last,
            events.`customer_type` nulls last
    ) as copy_rank
from events

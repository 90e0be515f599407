-- Interaction events of monitor stylist_shortlist: the match key under the predictions' match column
-- names, the item as text, the relevance (1 for every interaction), nothing after
-- the run's as-of time.
select
    `customer_id`,
    cast(`event_at` as timestamp) as observed_at,
    cast(`item_id` as string) as item,
    cast(1 as float64) as relevance
from (
    select customer_id, event_at, item_id
    from oltp.item_events
    where event_type = 'kept'
) as source
where `event_at` < '2026-11-22' and cast(`event_at` as timestamp) <= timestamp '2026-11-21 00:00:00'
    and `item_id` is not null
    and `customer_id` is not null

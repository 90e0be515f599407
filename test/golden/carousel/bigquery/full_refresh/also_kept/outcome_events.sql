-- Interaction events of monitor also_kept: the match key under the predictions' match column
-- names, the item as text, the relevance (column gain, above 0), nothing after
-- the run's as-of time.
select
    `customer_id`,
    cast(`event_at` as timestamp) as observed_at,
    cast(`item_id` as string) as item,
    cast(`gain` as float64) as relevance
from (
    select customer_id, event_at, item_id,
           case event_type when 'added_to_box' then 2 else 1 end as gain
    from oltp.item_events
    where event_type in ('favorited', 'added_to_box')
) as source
where `event_at` < '2026-11-22' and cast(`event_at` as timestamp) <= timestamp '2026-11-21 00:00:00'
    and `item_id` is not null
    -- a NULL, zero or negative relevance is not an interaction
    and cast(`gain` as float64) > 0
    and `customer_id` is not null

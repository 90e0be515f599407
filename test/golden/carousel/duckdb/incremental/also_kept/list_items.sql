-- The kept list of every request of monitor also_kept: each item once (at its first row in list
-- order) with its position 1, 2, … in list order and its gain (the highest relevance of its counting
-- interactions, 0 when there is none).
-- List order: list_rank, score desc nulls last, item.
-- The rank and score that ordered the list are not kept: no later step reads them, and this
-- table holds a row per listed item (95 M at 10 M requests of 10 items: docs/performance.md).
with kept_rows as (
    select
        "impression_id",
        predicted_at,
        item,
        list_rank,
        score,
        row_number() over (
            partition by "impression_id", item
            order by list_rank, score desc nulls last, item
        ) as item_row
    from "hs_also_kept__prediction_events"
    where copy_rank = 1
),

items as (
    select
        "impression_id",
        predicted_at,
        item,
        list_rank,
        score,
        row_number() over (
            partition by "impression_id"
            order by list_rank, score desc nulls last, item
        ) as list_position
    from kept_rows
    where item_row = 1
),

gains as (
    select "impression_id", item, max(relevance) as gain
    from "hs_also_kept__outcome_matches"
    where interaction_class = 'counting'
    group by "impression_id", item
)

select
    items."impression_id",
    items.predicted_at,
    items.item,
    items.list_position,
    coalesce(gains.gain, 0) as gain
from items
left join gains
    on gains."impression_id" = items."impression_id"
    and gains.item = items.item

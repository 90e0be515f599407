{% import "macros/sources.sql" as src with context %}
{% import "macros/recommendation.sql" as rec with context %}
{% set r = m.recommendation %}
-- The kept list of every request of monitor {{ m.name }}: each item once (at its first row in list
-- order) with its position 1, 2, … in list order and its gain (the highest relevance of its counting
-- interactions, 0 when there is none).
-- List order: {{ rec.list_order() }}.
-- The rank{{ ' and score' if r.score }} that ordered the list are not kept: no later step reads them, and this
-- table holds a row per listed item (95 M at 10 M requests of 10 items: docs/performance.md).
with kept_rows as (
    select
        {{ src.key_list() }},
        predicted_at,
        item,
        list_rank,
{% if r.score %}
        score,
{% endif %}
        row_number() over (
            partition by {{ src.key_list() }}, item
            order by {{ rec.list_order() }}
        ) as item_row
    from {{ rel('prediction_events') }}
    where copy_rank = 1
),

items as (
    select
        {{ src.key_list() }},
        predicted_at,
        item,
        list_rank,
{% if r.score %}
        score,
{% endif %}
        row_number() over (
            partition by {{ src.key_list() }}
            order by {{ rec.list_order() }}
        ) as list_position
    from kept_rows
    where item_row = 1
),

gains as (
    select {{ src.key_list() }}, item, max(relevance) as gain
    from {{ rel('outcome_matches') }}
    where interaction_class = 'counting'
    group by {{ src.key_list() }}, item
)

select
    {{ src.key_list('items.') }},
    items.predicted_at,
    items.item,
    items.list_position,
    coalesce(gains.gain, 0) as gain
from items
left join gains
    on {{ src.key_match('gains', 'items') }}
    and gains.item = items.item

-- List rows of monitor stylist_shortlist: one row per recommended item under hindsight's names, the
-- monitor's filter applied and nothing after the run's as-of time. The rows of a request that share
-- timestamp, version, match columns, anchor item and segment values are one copy of its list;
-- copy_rank = 1 marks the kept copy (latest generated_at wins).
with events as (
    select
        shortlist_id,
        customer_id,
        cast(convert_timezone('UTC', cast(generated_at as timestamp_tz)) as timestamp_ntz) as predicted_at,
        cast(item_id as varchar) as item,
        cast(rank as float) as list_rank,
        cast(score as float) as score,
        -- the match columns as text, to order copies
        cast(customer_id as varchar) as hs_match_0,
        cast(model_version as varchar) as model_version,
        cast(customer_type as varchar) as customer_type
    from raw.stylist_shortlists
    where generated_at <= '2026-11-21 00:00:00'::timestamp_ntz
        and generated_at >= '2026-11-09 00:00:00'::timestamp_ntz
        and shortlist_id is not null
        and customer_id is not null
        and item_id is not null
        and rank is not null
),

-- Requests already kept before the recomputed range: their copies in it are duplicates. (A request
-- has one row in the evaluations table, so no distinct is needed: at 1M predictions on Postgres, its
-- aggregate over the stored requests was 1.0 of the step's 3.6 s, docs/performance.md.)
kept_earlier as (
    select shortlist_id
    from hindsight.stylist_shortlist__evaluations
    where predicted_at < '2026-11-09 00:00:00'::timestamp_ntz
)
select
    events.*,
    dense_rank() over (
        partition by events.shortlist_id
        order by
            events.predicted_at desc,
            collate(events.model_version, 'utf8') nulls last,
            collate(events.hs_match_0, 'utf8') nulls last,
            collate(events.customer_type, 'utf8') nulls last
    ) + case when kept_earlier.shortlist_id is null then 0 else 1 end as copy_rank
from events
left join kept_earlier
    on kept_earlier.shortlist_id = events.shortlist_id

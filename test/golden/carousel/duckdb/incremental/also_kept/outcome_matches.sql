-- Which kept requests each interaction event counts for: same "customer_id", inside the
-- request's 7 days window (both ends inclusive), not the anchor item. One row per
-- (request, interaction) that counts, and one per orphan interaction (it counts for no request).
with requests as (
    select distinct "impression_id", "customer_id", predicted_at, anchor_item
    from "hs_also_kept__prediction_events"
    where copy_rank = 1
    union all
    -- requests kept before the recomputed range still claim the interactions that count for them;
    -- an interaction read here is observed from timestamp '2026-11-09 00:00:00' on, so only a request made
    -- 7 days before that or later can claim one: older ones are not read
    select "impression_id", "customer_id", predicted_at, anchor_item
    from "hindsight"."also_kept__evaluations"
    where predicted_at < timestamp '2026-11-09 00:00:00'
        and predicted_at >= timestamp '2026-11-02 00:00:00'
)

select
    requests."impression_id",
    requests.predicted_at,
    interactions.item,
    interactions.relevance,
    interactions.observed_at,
    'counting' as interaction_class
from "hs_also_kept__outcome_events" as interactions
inner join requests
    on requests."customer_id" = interactions."customer_id"
    and interactions.observed_at >= requests.predicted_at
    and interactions.observed_at <= requests.predicted_at + interval '604800 seconds'
    and (requests.anchor_item is null or interactions.item <> requests.anchor_item)
union all
select
    null,
    null,
    interactions.item,
    interactions.relevance,
    interactions.observed_at,
    'orphan'
from "hs_also_kept__outcome_events" as interactions
where not exists (
    select 1
    from requests
    where requests."customer_id" = interactions."customer_id"
        and interactions.observed_at >= requests.predicted_at
        and interactions.observed_at <= requests.predicted_at + interval '604800 seconds'
        and (requests.anchor_item is null or interactions.item <> requests.anchor_item)
)

-- One row per kept request of monitor also_kept: its list length, its relevant items, and for each
-- k of 4, 10 the relevant items in its top k (hits_at_k), its nDCG@k and average precision@k;
-- its label status says whether they are final (its 7 days window has closed). Sums
-- of doubles are exact (d.exactSum), so the values never depend on row order.
with requests as (
    select distinct
        "impression_id",
        predicted_at,
        model_version,
        "customer_id",
        anchor_item,
        "device",
        "viewed_category"
    from "hs_also_kept__prediction_events"
    where copy_rank = 1
),

-- the relevant items of each request (listed or not), each with its gain
relevant as (
    select
        "impression_id",
        item,
        max(relevance) as gain,
        min(observed_at) as first_at,
        row_number() over (partition by "impression_id" order by max(relevance) desc) as ideal_position
    from "hs_also_kept__outcome_matches"
    where interaction_class = 'counting'
    group by "impression_id", item
),

per_request_relevant as (
    select
        "impression_id",
        count(*) as relevant_items,
        min(first_at) as observed_at,
        (sum(cast(trunc(case when ideal_position <= 4 then gain / (ln(cast(ideal_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end) as bigint)) + sum(cast(round((case when ideal_position <= 4 then gain / (ln(cast(ideal_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end - trunc(case when ideal_position <= 4 then gain / (ln(cast(ideal_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end)) * 1e15) as bigint)) * 0.000000000000001) as idcg_4,
        (sum(cast(trunc(case when ideal_position <= 10 then gain / (ln(cast(ideal_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end) as bigint)) + sum(cast(round((case when ideal_position <= 10 then gain / (ln(cast(ideal_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end - trunc(case when ideal_position <= 10 then gain / (ln(cast(ideal_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end)) * 1e15) as bigint)) * 0.000000000000001) as idcg_10
    from relevant
    group by "impression_id"
),

per_request_list as (
    select
        "impression_id",
        count(*) as list_length,
        min(case when gain > 0 then list_position end) as first_relevant_position,
        -- (count, not sum: a BIGINT on every warehouse, where DuckDB's sum of integers is a HUGEINT BI tools may not read)
        count(case when list_position <= 4 and gain > 0 then 1 end) as hits_4,
        (sum(cast(trunc(case when list_position <= 4 then gain / (ln(cast(list_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end) as bigint)) + sum(cast(round((case when list_position <= 4 then gain / (ln(cast(list_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end - trunc(case when list_position <= 4 then gain / (ln(cast(list_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end)) * 1e15) as bigint)) * 0.000000000000001) as dcg_4,
        -- (count, not sum: a BIGINT on every warehouse, where DuckDB's sum of integers is a HUGEINT BI tools may not read)
        count(case when list_position <= 10 and gain > 0 then 1 end) as hits_10,
        (sum(cast(trunc(case when list_position <= 10 then gain / (ln(cast(list_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end) as bigint)) + sum(cast(round((case when list_position <= 10 then gain / (ln(cast(list_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end - trunc(case when list_position <= 10 then gain / (ln(cast(list_position + 1 as double precision)) / ln(cast(2 as double precision))) else 0 end)) * 1e15) as bigint)) * 0.000000000000001) as dcg_10
    from "hs_also_kept__list_items"
    group by "impression_id"
),

-- average precision's terms, from the listed relevant items only: each one's precision at its
-- position, hits_through / position, where hits_through counts the relevant items up to it. (A
-- running count over every listed item took a third of the list_items step on DuckDB:
-- docs/performance.md.)
listed_hits as (
    select
        "impression_id",
        list_position,
        row_number() over (partition by "impression_id" order by list_position) as hits_through
    from "hs_also_kept__list_items"
    where gain > 0
),

per_request_ap as (
    select
        "impression_id",
        (sum(cast(trunc(case when list_position <= 4 then cast(hits_through as double precision) / list_position else 0 end) as bigint)) + sum(cast(round((case when list_position <= 4 then cast(hits_through as double precision) / list_position else 0 end - trunc(case when list_position <= 4 then cast(hits_through as double precision) / list_position else 0 end)) * 1e15) as bigint)) * 0.000000000000001) as ap_sum_4,
        (sum(cast(trunc(case when list_position <= 10 then cast(hits_through as double precision) / list_position else 0 end) as bigint)) + sum(cast(round((case when list_position <= 10 then cast(hits_through as double precision) / list_position else 0 end - trunc(case when list_position <= 10 then cast(hits_through as double precision) / list_position else 0 end)) * 1e15) as bigint)) * 0.000000000000001) as ap_sum_10
    from listed_hits
    group by "impression_id"
)

select
    requests."impression_id",
    requests.predicted_at,
    requests.model_version,
    requests."customer_id",
    requests.anchor_item,
    requests."device",
    requests."viewed_category",
    lists.list_length,
    coalesce(relevant.relevant_items, 0) as relevant_items,
    lists.first_relevant_position,
    lists.hits_4 as hits_at_4,
    cast(lists.dcg_4 as double precision) / nullif(cast(relevant.idcg_4 as double precision), 0) as ndcg_at_4,
    cast(coalesce(ap.ap_sum_4, 0) as double precision) / nullif(least(4, coalesce(relevant.relevant_items, 0)), 0) as ap_at_4,
    lists.hits_10 as hits_at_10,
    cast(lists.dcg_10 as double precision) / nullif(cast(relevant.idcg_10 as double precision), 0) as ndcg_at_10,
    cast(coalesce(ap.ap_sum_10, 0) as double precision) / nullif(least(10, coalesce(relevant.relevant_items, 0)), 0) as ap_at_10,
    case
        when timestamp '2026-11-21 00:00:00' < requests.predicted_at + interval '604800 seconds' then 'pending'
        when relevant.relevant_items > 0 then 'observed'
        else 'missing'
    end as label_status,
    relevant.observed_at,
    cast(extract(epoch from (relevant.observed_at - requests.predicted_at)) as double precision) / 3600 as label_delay_hours
from requests
inner join per_request_list as lists
    on lists."impression_id" = requests."impression_id"
left join per_request_relevant as relevant
    on relevant."impression_id" = requests."impression_id"
left join per_request_ap as ap
    on ap."impression_id" = requests."impression_id"

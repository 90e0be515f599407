-- One row per kept request of monitor stylist_shortlist: its list length, its relevant items, and for each
-- k of 5, 10 the relevant items in its top k (hits_at_k), its nDCG@k and average precision@k;
-- its label status says whether they are final (its 14 days window has closed). Sums
-- of doubles are exact (d.exactSum), so the values never depend on row order.
with requests as (
    select distinct
        `shortlist_id`,
        predicted_at,
        model_version,
        `customer_id`,
        `customer_type`
    from `hs_stylist_shortlist__prediction_events`
    where copy_rank = 1
),

-- the relevant items of each request (listed or not), each with its gain
relevant as (
    select
        `shortlist_id`,
        item,
        max(relevance) as gain,
        min(observed_at) as first_at,
        row_number() over (partition by `shortlist_id` order by max(relevance) desc) as ideal_position
    from `hs_stylist_shortlist__outcome_matches`
    where interaction_class = 'counting'
    group by `shortlist_id`, item
),

per_request_relevant as (
    select
        `shortlist_id`,
        count(*) as relevant_items,
        min(first_at) as observed_at,
        sum(cast(case when ideal_position <= 5 then gain / (ln(cast(ideal_position + 1 as float64)) / ln(cast(2 as float64))) else 0 end as bignumeric)) as idcg_5,
        sum(cast(case when ideal_position <= 10 then gain / (ln(cast(ideal_position + 1 as float64)) / ln(cast(2 as float64))) else 0 end as bignumeric)) as idcg_10
    from relevant
    group by `shortlist_id`
),

per_request_list as (
    select
        `shortlist_id`,
        count(*) as list_length,
        min(case when gain > 0 then list_position end) as first_relevant_position,
        -- (count, not sum: a BIGINT on every warehouse, where DuckDB's sum of integers is a HUGEINT BI tools may not read)
        count(case when list_position <= 5 and gain > 0 then 1 end) as hits_5,
        sum(cast(case when list_position <= 5 then gain / (ln(cast(list_position + 1 as float64)) / ln(cast(2 as float64))) else 0 end as bignumeric)) as dcg_5,
        -- (count, not sum: a BIGINT on every warehouse, where DuckDB's sum of integers is a HUGEINT BI tools may not read)
        count(case when list_position <= 10 and gain > 0 then 1 end) as hits_10,
        sum(cast(case when list_position <= 10 then gain / (ln(cast(list_position + 1 as float64)) / ln(cast(2 as float64))) else 0 end as bignumeric)) as dcg_10
    from `hs_stylist_shortlist__list_items`
    group by `shortlist_id`
),

-- average precision's terms, from the listed relevant items only: each one's precision at its
-- position, hits_through / position, where hits_through counts the relevant items up to it. (A
-- running count over every listed item took a third of the list_items step on DuckDB:
-- docs/performance.md.)
listed_hits as (
    select
        `shortlist_id`,
        list_position,
        row_number() over (partition by `shortlist_id` order by list_position) as hits_through
    from `hs_stylist_shortlist__list_items`
    where gain > 0
),

per_request_ap as (
    select
        `shortlist_id`,
        sum(cast(case when list_position <= 5 then cast(hits_through as float64) / list_position else 0 end as bignumeric)) as ap_sum_5,
        sum(cast(case when list_position <= 10 then cast(hits_through as float64) / list_position else 0 end as bignumeric)) as ap_sum_10
    from listed_hits
    group by `shortlist_id`
)

select
    requests.`shortlist_id`,
    requests.predicted_at,
    requests.model_version,
    requests.`customer_id`,
    requests.`customer_type`,
    lists.list_length,
    coalesce(relevant.relevant_items, 0) as relevant_items,
    lists.first_relevant_position,
    lists.hits_5 as hits_at_5,
    cast(lists.dcg_5 as float64) / nullif(cast(relevant.idcg_5 as float64), 0) as ndcg_at_5,
    cast(coalesce(ap.ap_sum_5, 0) as float64) / nullif(least(5, coalesce(relevant.relevant_items, 0)), 0) as ap_at_5,
    lists.hits_10 as hits_at_10,
    cast(lists.dcg_10 as float64) / nullif(cast(relevant.idcg_10 as float64), 0) as ndcg_at_10,
    cast(coalesce(ap.ap_sum_10, 0) as float64) / nullif(least(10, coalesce(relevant.relevant_items, 0)), 0) as ap_at_10,
    case
        when timestamp '2026-11-21 00:00:00' < timestamp_add(requests.predicted_at, interval 1209600 second) then 'pending'
        when relevant.relevant_items > 0 then 'observed'
        else 'missing'
    end as label_status,
    relevant.observed_at,
    timestamp_diff(relevant.observed_at, requests.predicted_at, microsecond) / 3600000000 as label_delay_hours
from requests
inner join per_request_list as lists
    on lists.`shortlist_id` = requests.`shortlist_id`
left join per_request_relevant as relevant
    on relevant.`shortlist_id` = requests.`shortlist_id`
left join per_request_ap as ap
    on ap.`shortlist_id` = requests.`shortlist_id`

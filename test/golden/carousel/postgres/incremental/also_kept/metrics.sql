-- Recommendation metrics of monitor also_kept for k = 4, 10, per window, model version and
-- slice, over the evaluated requests (window closed): hit rate and precision over all of them;
-- recall, nDCG, MAP and MRR over those with a relevant item; coverage, popularity and
-- personalization (on a sample of at most 1000 requests per group) from their top-k items.
-- Sums of doubles are exact (d.exactSum), so the values never depend on row order.
with segment_ranks as (
    select
        'day' as granularity,
        'device' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value collate "C"
        ) as value_rank
    from (
        select date_trunc('day', predicted_at) as window_start, "device" as segment_value
        from "hs_also_kept__evaluations"
        where "device" is not null        and predicted_at >= timestamp '2026-11-13 00:00:00'
    ) as segment_values
    group by window_start, segment_value
    union all
    select
        'day' as granularity,
        'viewed_category' as segment,
        window_start,
        segment_value,
        2 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value collate "C"
        ) as value_rank
    from (
        select date_trunc('day', predicted_at) as window_start, "viewed_category" as segment_value
        from "hs_also_kept__evaluations"
        where "viewed_category" is not null        and predicted_at >= timestamp '2026-11-13 00:00:00'
    ) as segment_values
    group by window_start, segment_value
    union all
    select
        'week' as granularity,
        'device' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value collate "C"
        ) as value_rank
    from (
        select date_trunc('week', predicted_at) as window_start, "device" as segment_value
        from "hs_also_kept__evaluations"
        where "device" is not null        and predicted_at >= timestamp '2026-11-09 00:00:00'
    ) as segment_values
    group by window_start, segment_value
    union all
    select
        'week' as granularity,
        'viewed_category' as segment,
        window_start,
        segment_value,
        2 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value collate "C"
        ) as value_rank
    from (
        select date_trunc('week', predicted_at) as window_start, "viewed_category" as segment_value
        from "hs_also_kept__evaluations"
        where "viewed_category" is not null        and predicted_at >= timestamp '2026-11-09 00:00:00'
    ) as segment_values
    group by window_start, segment_value

),

sliced as (
    select
        'day' as granularity,
        date_trunc('day', evaluated.predicted_at) as window_start,
        evaluated.model_version,
        cast(null as text) as segment,
        cast(null as text) as segment_value,
        evaluated."impression_id", evaluated.label_status, evaluated.list_length, evaluated.relevant_items, evaluated.first_relevant_position, evaluated.hits_at_4, evaluated.ndcg_at_4, evaluated.ap_at_4, evaluated.hits_at_10, evaluated.ndcg_at_10, evaluated.ap_at_10
    from "hs_also_kept__evaluations" as evaluated
    where evaluated.label_status <> 'pending'        and evaluated.predicted_at >= timestamp '2026-11-13 00:00:00'
    union all
    select
        'day',
        date_trunc('day', evaluated.predicted_at),
        evaluated.model_version,
        'device',
        case
            when evaluated."device" is null then null
            when ranks.value_rank <= 50 then evaluated."device"
            else '__other__'
        end,
        evaluated."impression_id", evaluated.label_status, evaluated.list_length, evaluated.relevant_items, evaluated.first_relevant_position, evaluated.hits_at_4, evaluated.ndcg_at_4, evaluated.ap_at_4, evaluated.hits_at_10, evaluated.ndcg_at_10, evaluated.ap_at_10
    from "hs_also_kept__evaluations" as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'day'
        and ranks.segment = 'device'
        and ranks.window_start = date_trunc('day', evaluated.predicted_at)
        and ranks.segment_value = evaluated."device"
    where evaluated.label_status <> 'pending'        and evaluated.predicted_at >= timestamp '2026-11-13 00:00:00'
    union all
    select
        'day',
        date_trunc('day', evaluated.predicted_at),
        evaluated.model_version,
        'viewed_category',
        case
            when evaluated."viewed_category" is null then null
            when ranks.value_rank <= 50 then evaluated."viewed_category"
            else '__other__'
        end,
        evaluated."impression_id", evaluated.label_status, evaluated.list_length, evaluated.relevant_items, evaluated.first_relevant_position, evaluated.hits_at_4, evaluated.ndcg_at_4, evaluated.ap_at_4, evaluated.hits_at_10, evaluated.ndcg_at_10, evaluated.ap_at_10
    from "hs_also_kept__evaluations" as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'day'
        and ranks.segment = 'viewed_category'
        and ranks.window_start = date_trunc('day', evaluated.predicted_at)
        and ranks.segment_value = evaluated."viewed_category"
    where evaluated.label_status <> 'pending'        and evaluated.predicted_at >= timestamp '2026-11-13 00:00:00'
    union all
    select
        'week' as granularity,
        date_trunc('week', evaluated.predicted_at) as window_start,
        evaluated.model_version,
        cast(null as text) as segment,
        cast(null as text) as segment_value,
        evaluated."impression_id", evaluated.label_status, evaluated.list_length, evaluated.relevant_items, evaluated.first_relevant_position, evaluated.hits_at_4, evaluated.ndcg_at_4, evaluated.ap_at_4, evaluated.hits_at_10, evaluated.ndcg_at_10, evaluated.ap_at_10
    from "hs_also_kept__evaluations" as evaluated
    where evaluated.label_status <> 'pending'        and evaluated.predicted_at >= timestamp '2026-11-09 00:00:00'
    union all
    select
        'week',
        date_trunc('week', evaluated.predicted_at),
        evaluated.model_version,
        'device',
        case
            when evaluated."device" is null then null
            when ranks.value_rank <= 50 then evaluated."device"
            else '__other__'
        end,
        evaluated."impression_id", evaluated.label_status, evaluated.list_length, evaluated.relevant_items, evaluated.first_relevant_position, evaluated.hits_at_4, evaluated.ndcg_at_4, evaluated.ap_at_4, evaluated.hits_at_10, evaluated.ndcg_at_10, evaluated.ap_at_10
    from "hs_also_kept__evaluations" as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'week'
        and ranks.segment = 'device'
        and ranks.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks.segment_value = evaluated."device"
    where evaluated.label_status <> 'pending'        and evaluated.predicted_at >= timestamp '2026-11-09 00:00:00'
    union all
    select
        'week',
        date_trunc('week', evaluated.predicted_at),
        evaluated.model_version,
        'viewed_category',
        case
            when evaluated."viewed_category" is null then null
            when ranks.value_rank <= 50 then evaluated."viewed_category"
            else '__other__'
        end,
        evaluated."impression_id", evaluated.label_status, evaluated.list_length, evaluated.relevant_items, evaluated.first_relevant_position, evaluated.hits_at_4, evaluated.ndcg_at_4, evaluated.ap_at_4, evaluated.hits_at_10, evaluated.ndcg_at_10, evaluated.ap_at_10
    from "hs_also_kept__evaluations" as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'week'
        and ranks.segment = 'viewed_category'
        and ranks.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks.segment_value = evaluated."viewed_category"
    where evaluated.label_status <> 'pending'        and evaluated.predicted_at >= timestamp '2026-11-09 00:00:00'

),

-- each group gets a number, so that groups join on one non-NULL column
requests as (
    select
        sliced.*,
        dense_rank() over (order by granularity, window_start, model_version, segment, segment_value) as group_id
    from sliced
),

per_request_summary as (
    select
        group_id,
        granularity, window_start, model_version, segment, segment_value,
        count(*) as n,
        sum(case when label_status = 'observed' then 1 else 0 end) as n_observed,
        sum(case when hits_at_4 > 0 then 1 else 0 end) as hit_4,
        sum(hits_at_4) as hits_4,
        (sum(cast(trunc(case when label_status = 'observed' then cast(hits_at_4 as double precision) / nullif(relevant_items, 0) end) as bigint)) + sum(cast(round((case when label_status = 'observed' then cast(hits_at_4 as double precision) / nullif(relevant_items, 0) end - trunc(case when label_status = 'observed' then cast(hits_at_4 as double precision) / nullif(relevant_items, 0) end)) * 1e15) as bigint)) * 0.000000000000001) as recall_sum_4,
        (sum(cast(trunc(case when label_status = 'observed' then ndcg_at_4 end) as bigint)) + sum(cast(round((case when label_status = 'observed' then ndcg_at_4 end - trunc(case when label_status = 'observed' then ndcg_at_4 end)) * 1e15) as bigint)) * 0.000000000000001) as ndcg_sum_4,
        (sum(cast(trunc(case when label_status = 'observed' then ap_at_4 end) as bigint)) + sum(cast(round((case when label_status = 'observed' then ap_at_4 end - trunc(case when label_status = 'observed' then ap_at_4 end)) * 1e15) as bigint)) * 0.000000000000001) as ap_sum_4,
        (sum(cast(trunc(case when label_status = 'observed' then case when first_relevant_position <= 4 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end) as bigint)) + sum(cast(round((case when label_status = 'observed' then case when first_relevant_position <= 4 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end - trunc(case when label_status = 'observed' then case when first_relevant_position <= 4 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end)) * 1e15) as bigint)) * 0.000000000000001) as rr_sum_4,
        sum(case when hits_at_10 > 0 then 1 else 0 end) as hit_10,
        sum(hits_at_10) as hits_10,
        (sum(cast(trunc(case when label_status = 'observed' then cast(hits_at_10 as double precision) / nullif(relevant_items, 0) end) as bigint)) + sum(cast(round((case when label_status = 'observed' then cast(hits_at_10 as double precision) / nullif(relevant_items, 0) end - trunc(case when label_status = 'observed' then cast(hits_at_10 as double precision) / nullif(relevant_items, 0) end)) * 1e15) as bigint)) * 0.000000000000001) as recall_sum_10,
        (sum(cast(trunc(case when label_status = 'observed' then ndcg_at_10 end) as bigint)) + sum(cast(round((case when label_status = 'observed' then ndcg_at_10 end - trunc(case when label_status = 'observed' then ndcg_at_10 end)) * 1e15) as bigint)) * 0.000000000000001) as ndcg_sum_10,
        (sum(cast(trunc(case when label_status = 'observed' then ap_at_10 end) as bigint)) + sum(cast(round((case when label_status = 'observed' then ap_at_10 end - trunc(case when label_status = 'observed' then ap_at_10 end)) * 1e15) as bigint)) * 0.000000000000001) as ap_sum_10,
        (sum(cast(trunc(case when label_status = 'observed' then case when first_relevant_position <= 10 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end) as bigint)) + sum(cast(round((case when label_status = 'observed' then case when first_relevant_position <= 10 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end - trunc(case when label_status = 'observed' then case when first_relevant_position <= 10 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end)) * 1e15) as bigint)) * 0.000000000000001) as rr_sum_10
    from requests
    group by group_id, granularity, window_start, model_version, segment, segment_value
),

-- the top 10 items of every evaluated request, in every group it is in
top_items as (
    select
        requests.group_id,
        requests.granularity,
        requests.window_start,
        list_items.item,
        list_items.list_position
    from requests
    inner join "hs_also_kept__list_items" as list_items
        on list_items."impression_id" = requests."impression_id"
    where list_items.list_position <= 10
),

-- no configured catalog: a window's catalog is the items of its requests' kept lists and of its interactions
window_items as (
    select 'day' as granularity, date_trunc('day', predicted_at) as window_start, item
    from "hs_also_kept__list_items"
    union all
    select 'day', date_trunc('day', observed_at), item
    from "hs_also_kept__outcome_events"
    union all
    select 'week' as granularity, date_trunc('week', predicted_at) as window_start, item
    from "hs_also_kept__list_items"
    union all
    select 'week', date_trunc('week', observed_at), item
    from "hs_also_kept__outcome_events"
),

catalog_sizes as (
    select granularity, window_start, count(distinct item) as catalog_size
    from window_items
    group by granularity, window_start
),

-- interaction events per item and window, any user: the items' popularity
item_interactions as (
    select 'day' as granularity, date_trunc('day', observed_at) as window_start, item, count(*) as interactions
    from "hs_also_kept__outcome_events"
    group by 1, 2, 3
    union all
    select 'week' as granularity, date_trunc('week', observed_at) as window_start, item, count(*) as interactions
    from "hs_also_kept__outcome_events"
    group by 1, 2, 3
),

per_item_summary as (
    select
        top_items.group_id,
        count(distinct case when top_items.list_position <= 4 then top_items.item end) as covered_4,
        sum(case when top_items.list_position <= 4 then 1 else 0 end) as slots_4,
        sum(case when top_items.list_position <= 4 then coalesce(item_interactions.interactions, 0) else 0 end) as interactions_4,
        count(distinct case when top_items.list_position <= 10 then top_items.item end) as covered_10,
        sum(case when top_items.list_position <= 10 then 1 else 0 end) as slots_10,
        sum(case when top_items.list_position <= 10 then coalesce(item_interactions.interactions, 0) else 0 end) as interactions_10,
        max(catalog_sizes.catalog_size) as catalog_size
    from top_items
    left join catalog_sizes
        on catalog_sizes.granularity = top_items.granularity
        and catalog_sizes.window_start = top_items.window_start
    left join item_interactions
        on item_interactions.granularity = top_items.granularity
        and item_interactions.window_start = top_items.window_start
        and item_interactions.item = top_items.item
    group by top_items.group_id
),

-- personalization's sample: per group, the 1000 requests with the smallest MD5 of the request key as text
sampled_requests as (
    select group_id, "impression_id", list_length, sample_rank
    from (
        select
            hashed.*,
            row_number() over (
                partition by group_id
                order by key_hash collate "C", key_text_0 collate "C"
            ) as sample_rank
        from (
            select
                group_id,
                "impression_id",
                list_length,
                md5(cast("impression_id" as text)) as key_hash,
                cast("impression_id" as text) as key_text_0
            from requests
        ) as hashed
    ) as ranked
    where sample_rank <= 1000
),

sample_items as (
    select sampled_requests.group_id, sampled_requests.sample_rank, list_items.item, list_items.list_position
    from sampled_requests
    inner join "hs_also_kept__list_items" as list_items
        on list_items."impression_id" = sampled_requests."impression_id"
    where list_items.list_position <= 10
),

-- pairs of sampled requests that share an item in their top 10, with their overlaps per k
pair_overlaps as (
    select
        a.group_id,
        a.sample_rank as rank_a,
        b.sample_rank as rank_b,
        sum(case when a.list_position <= 4 and b.list_position <= 4 then 1 else 0 end) as overlap_4,
        sum(case when a.list_position <= 10 and b.list_position <= 10 then 1 else 0 end) as overlap_10
    from sample_items as a
    inner join sample_items as b
        on a.group_id = b.group_id
        and a.item = b.item
        and a.sample_rank < b.sample_rank
    group by a.group_id, a.sample_rank, b.sample_rank
),

-- Jaccard overlap of each such pair's top-k sets (pairs sharing nothing add 0)
pair_jaccard as (
    select
        pair_overlaps.group_id,
        (sum(cast(trunc(cast(overlap_4 as double precision) / nullif(least(4, a.list_length) + least(4, b.list_length) - overlap_4, 0)) as bigint)) + sum(cast(round((cast(overlap_4 as double precision) / nullif(least(4, a.list_length) + least(4, b.list_length) - overlap_4, 0) - trunc(cast(overlap_4 as double precision) / nullif(least(4, a.list_length) + least(4, b.list_length) - overlap_4, 0))) * 1e15) as bigint)) * 0.000000000000001) as jaccard_sum_4,
        (sum(cast(trunc(cast(overlap_10 as double precision) / nullif(least(10, a.list_length) + least(10, b.list_length) - overlap_10, 0)) as bigint)) + sum(cast(round((cast(overlap_10 as double precision) / nullif(least(10, a.list_length) + least(10, b.list_length) - overlap_10, 0) - trunc(cast(overlap_10 as double precision) / nullif(least(10, a.list_length) + least(10, b.list_length) - overlap_10, 0))) * 1e15) as bigint)) * 0.000000000000001) as jaccard_sum_10
    from pair_overlaps
    inner join sampled_requests as a
        on a.group_id = pair_overlaps.group_id
        and a.sample_rank = pair_overlaps.rank_a
    inner join sampled_requests as b
        on b.group_id = pair_overlaps.group_id
        and b.sample_rank = pair_overlaps.rank_b
    group by pair_overlaps.group_id
),

sample_sizes as (
    select group_id, count(*) as sampled
    from sampled_requests
    group by group_id
),

summary as (
    select
        per_request_summary.*,
        per_item_summary.catalog_size,
        per_item_summary.covered_4,
        per_item_summary.slots_4,
        per_item_summary.interactions_4,
        case
            when sample_sizes.sampled >= 2
            then 1 - cast(coalesce(pair_jaccard.jaccard_sum_4, 0) as double precision) / nullif(sample_sizes.sampled * (sample_sizes.sampled - 1) / 2, 0)
        end as personalization_4,
        per_item_summary.covered_10,
        per_item_summary.slots_10,
        per_item_summary.interactions_10,
        case
            when sample_sizes.sampled >= 2
            then 1 - cast(coalesce(pair_jaccard.jaccard_sum_10, 0) as double precision) / nullif(sample_sizes.sampled * (sample_sizes.sampled - 1) / 2, 0)
        end as personalization_10,
        sample_sizes.sampled
    from per_request_summary
    inner join per_item_summary
        on per_item_summary.group_id = per_request_summary.group_id
    inner join sample_sizes
        on sample_sizes.group_id = per_request_summary.group_id
    left join pair_jaccard
        on pair_jaccard.group_id = per_request_summary.group_id
)

select
    granularity, window_start, model_version, segment, segment_value,
    'requests' as metric,
    cast(null as text) as qualifier,
    cast(n as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'hit_rate@4' as metric,
    cast(null as text) as qualifier,
    cast(cast(hit_4 as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'precision@4' as metric,
    cast(null as text) as qualifier,
    cast(cast(hits_4 as double precision) / nullif(n * 4, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'recall@4' as metric,
    cast(null as text) as qualifier,
    cast(cast(recall_sum_4 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'ndcg@4' as metric,
    cast(null as text) as qualifier,
    cast(cast(ndcg_sum_4 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'map@4' as metric,
    cast(null as text) as qualifier,
    cast(cast(ap_sum_4 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mrr@4' as metric,
    cast(null as text) as qualifier,
    cast(cast(rr_sum_4 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'coverage@4' as metric,
    cast(null as text) as qualifier,
    cast(cast(covered_4 as double precision) / nullif(catalog_size, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'popularity@4' as metric,
    cast(null as text) as qualifier,
    cast(cast(interactions_4 as double precision) / nullif(slots_4, 0) as double precision) as value,
    cast(slots_4 as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'personalization@4' as metric,
    cast(null as text) as qualifier,
    cast(personalization_4 as double precision) as value,
    cast(sampled as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'hit_rate@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(hit_10 as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'precision@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(hits_10 as double precision) / nullif(n * 10, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'recall@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(recall_sum_10 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'ndcg@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(ndcg_sum_10 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'map@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(ap_sum_10 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mrr@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(rr_sum_10 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'coverage@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(covered_10 as double precision) / nullif(catalog_size, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'popularity@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(interactions_10 as double precision) / nullif(slots_10, 0) as double precision) as value,
    cast(slots_10 as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'personalization@10' as metric,
    cast(null as text) as qualifier,
    cast(personalization_10 as double precision) as value,
    cast(sampled as bigint) as sample_size
from summary

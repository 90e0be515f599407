-- Recommendation metrics of monitor stylist_shortlist for k = 5, 10, per window, model version and
-- slice, over the evaluated requests (window closed): hit rate and precision over all of them;
-- recall, nDCG, MAP and MRR over those with a relevant item; coverage, popularity and
-- personalization (on a sample of at most 1000 requests per group) from their top-k items.
-- Sums of doubles are exact (d.exactSum), so the values never depend on row order.
-- Groups are keyed by one bigint (group_key, macros/slices.sql) until the last step, which names
-- them. The per-request sums come from cells: each evaluated request is counted once per
-- granularity, in a cell of its window, model version and segment values, and the slices are added
-- up from the cells; so are popularity's slots and interactions, from each request's top-k items.
-- Coverage reads each slice's top-k items, grouped by item first, and personalization each slice's
-- sampled requests. The template before this one sliced every request and every top-k item by five
-- text columns: its metric step took 1.66x this one's CPU at 1M on DuckDB (docs/performance.md).
with segment_ranks as (
    select
        granularity,
        'customer_type' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by granularity, window_start
            order by sum(n) desc, segment_value collate "C"
        ) as value_rank
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'week' then date_trunc('week', days.day_start) end as window_start,
            days.segment_value,
            days.n
        from (
            select date_trunc('day', predicted_at) as day_start, "customer_type" as segment_value, count(*) as n
            from "hindsight"."hs_stylist_shortlist__evaluations_00000000"
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where "customer_type" is not null and "customer_type" <> '__other__'
            group by 1, 2
        ) as days
        cross join (
            select 'week' as granularity
        ) as granularities
    ) as segment_values
    group by granularity, window_start, segment_value

),

model_versions as (
    select model_version, row_number() over (order by model_version collate "C") as version_index
    from (select distinct model_version from "hindsight"."hs_stylist_shortlist__evaluations_00000000" where model_version is not null) as versions

),

-- each evaluated request once per granularity, with what places it in its window and slices
cell_rows as (
    select
        date_trunc('week', evaluated.predicted_at) as window_start,
        (coalesce(versions.version_index, 0) * 1 + 0) * 104 as base_key,
        cast(floor(cast(extract(epoch from (date_trunc('week', evaluated.predicted_at) - cast('1970-01-01' as timestamp))) as double precision) / 3600 / 24) as bigint) * 1099511627776 + (coalesce(versions.version_index, 0) * 1 + 0) * 104 as base_group_key,
        case
            when evaluated."customer_type" is null then 0
            when ranks_1.value_rank <= 50 then ranks_1.value_rank
            else 51
        end as value_1,
        evaluated."shortlist_id",
        evaluated.label_status,
        evaluated.list_length,
        evaluated.relevant_items,
        evaluated.first_relevant_position,
        evaluated.hits_at_5,
        evaluated.ndcg_at_5,
        evaluated.ap_at_5,
        evaluated.hits_at_10,
        evaluated.ndcg_at_10,
        evaluated.ap_at_10,
        md5(cast(evaluated."shortlist_id" as text)) as key_hash,
        cast(evaluated."shortlist_id" as text) as key_text_0
    from "hindsight"."hs_stylist_shortlist__evaluations_00000000" as evaluated
    left join model_versions as versions
        on versions.model_version = evaluated.model_version
    left join segment_ranks as ranks_1
        on ranks_1.granularity = 'week'
        and ranks_1.segment = 'customer_type'
        and ranks_1.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks_1.segment_value = evaluated."customer_type"
    where evaluated.label_status <> 'pending'

),

-- interaction events per item and window, any user: the items' popularity
item_interactions as (
    select 0 as granularity_index, date_trunc('week', observed_at) as window_start, item, count(*) as interactions
    from "hs_stylist_shortlist__outcome_events"
    group by 1, 2, 3
),

-- the top 10 items of every evaluated request, once per granularity, with their interactions in
-- the window
cell_items as (
    select
        cell_rows.window_start, cell_rows.base_key, cell_rows.value_1,
        cell_rows.base_group_key,
        list_items.item,
        list_items.list_position,
        coalesce(item_interactions.interactions, 0) as interactions
    from cell_rows
    inner join "hs_stylist_shortlist__list_items" as list_items
        on list_items."shortlist_id" = cell_rows."shortlist_id"
    left join item_interactions
        on item_interactions.granularity_index = mod((cell_rows.base_key) / (104), 1)
        and item_interactions.window_start = cell_rows.window_start
        and item_interactions.item = list_items.item
    where list_items.list_position <= 10
),

-- one cell per window, model version and combination of segment values: the sums of its requests'
-- own values, and the slots and interactions of their top-k items (popularity)
cells as (
    select
        window_start, base_key, value_1,
        count(*) as n,
        sum(case when label_status = 'observed' then 1 else 0 end) as n_observed,
        sum(case when hits_at_5 > 0 then 1 else 0 end) as hit_5,
        sum(hits_at_5) as hits_5,
        (sum(cast(trunc(case when label_status = 'observed' then cast(hits_at_5 as double precision) / nullif(relevant_items, 0) end) as bigint)) + sum(cast(round((case when label_status = 'observed' then cast(hits_at_5 as double precision) / nullif(relevant_items, 0) end - trunc(case when label_status = 'observed' then cast(hits_at_5 as double precision) / nullif(relevant_items, 0) end)) * 1e15) as bigint)) * 0.000000000000001) as recall_sum_5,
        (sum(cast(trunc(case when label_status = 'observed' then ndcg_at_5 end) as bigint)) + sum(cast(round((case when label_status = 'observed' then ndcg_at_5 end - trunc(case when label_status = 'observed' then ndcg_at_5 end)) * 1e15) as bigint)) * 0.000000000000001) as ndcg_sum_5,
        (sum(cast(trunc(case when label_status = 'observed' then ap_at_5 end) as bigint)) + sum(cast(round((case when label_status = 'observed' then ap_at_5 end - trunc(case when label_status = 'observed' then ap_at_5 end)) * 1e15) as bigint)) * 0.000000000000001) as ap_sum_5,
        (sum(cast(trunc(case when label_status = 'observed' then case when first_relevant_position <= 5 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end) as bigint)) + sum(cast(round((case when label_status = 'observed' then case when first_relevant_position <= 5 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end - trunc(case when label_status = 'observed' then case when first_relevant_position <= 5 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end)) * 1e15) as bigint)) * 0.000000000000001) as rr_sum_5,
        cast(null as bigint) as slots_5,
        cast(null as bigint) as interactions_5,
        sum(case when hits_at_10 > 0 then 1 else 0 end) as hit_10,
        sum(hits_at_10) as hits_10,
        (sum(cast(trunc(case when label_status = 'observed' then cast(hits_at_10 as double precision) / nullif(relevant_items, 0) end) as bigint)) + sum(cast(round((case when label_status = 'observed' then cast(hits_at_10 as double precision) / nullif(relevant_items, 0) end - trunc(case when label_status = 'observed' then cast(hits_at_10 as double precision) / nullif(relevant_items, 0) end)) * 1e15) as bigint)) * 0.000000000000001) as recall_sum_10,
        (sum(cast(trunc(case when label_status = 'observed' then ndcg_at_10 end) as bigint)) + sum(cast(round((case when label_status = 'observed' then ndcg_at_10 end - trunc(case when label_status = 'observed' then ndcg_at_10 end)) * 1e15) as bigint)) * 0.000000000000001) as ndcg_sum_10,
        (sum(cast(trunc(case when label_status = 'observed' then ap_at_10 end) as bigint)) + sum(cast(round((case when label_status = 'observed' then ap_at_10 end - trunc(case when label_status = 'observed' then ap_at_10 end)) * 1e15) as bigint)) * 0.000000000000001) as ap_sum_10,
        (sum(cast(trunc(case when label_status = 'observed' then case when first_relevant_position <= 10 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end) as bigint)) + sum(cast(round((case when label_status = 'observed' then case when first_relevant_position <= 10 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end - trunc(case when label_status = 'observed' then case when first_relevant_position <= 10 then cast(1 as double precision) / nullif(first_relevant_position, 0) else 0 end end)) * 1e15) as bigint)) * 0.000000000000001) as rr_sum_10,
        cast(null as bigint) as slots_10,
        cast(null as bigint) as interactions_10
    from cell_rows
    group by window_start, base_key, value_1
    union all
    select
        window_start, base_key, value_1,
        null, null,
        null, null, null, null, null, null,
        sum(case when list_position <= 5 then 1 else 0 end),
        sum(case when list_position <= 5 then interactions else 0 end),
        null, null, null, null, null, null,
        sum(case when list_position <= 10 then 1 else 0 end),
        sum(case when list_position <= 10 then interactions else 0 end)
    from cell_items
    group by window_start, base_key, value_1
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
    select window_start, base_key as slice_key, n, n_observed, hit_5, hits_5, recall_sum_5, ndcg_sum_5, ap_sum_5, rr_sum_5, slots_5, interactions_5, hit_10, hits_10, recall_sum_10, ndcg_sum_10, ap_sum_10, rr_sum_10, slots_10, interactions_10
    from cells
    union all
    select window_start, base_key + 52 + value_1, n, n_observed, hit_5, hits_5, recall_sum_5, ndcg_sum_5, ap_sum_5, rr_sum_5, slots_5, interactions_5, hit_10, hits_10, recall_sum_10, ndcg_sum_10, ap_sum_10, rr_sum_10, slots_10, interactions_10
    from cells

),

-- each group's sums (the exact sums add up exactly)
per_request_summary as (
    select
        window_start,
        slice_key,
        sum(n) as n,
        sum(n_observed) as n_observed,
        sum(hit_5) as hit_5,
        sum(hits_5) as hits_5,
        sum(recall_sum_5) as recall_sum_5,
        sum(ndcg_sum_5) as ndcg_sum_5,
        sum(ap_sum_5) as ap_sum_5,
        sum(rr_sum_5) as rr_sum_5,
        sum(slots_5) as slots_5,
        sum(interactions_5) as interactions_5,
        sum(hit_10) as hit_10,
        sum(hits_10) as hits_10,
        sum(recall_sum_10) as recall_sum_10,
        sum(ndcg_sum_10) as ndcg_sum_10,
        sum(ap_sum_10) as ap_sum_10,
        sum(rr_sum_10) as rr_sum_10,
        sum(slots_10) as slots_10,
        sum(interactions_10) as interactions_10
    from keyed_cells
    group by window_start, slice_key
),

-- each top-k item under each of its request's slices' group_key
sliced_items as (
    select base_group_key as group_key, item, list_position
    from cell_items
    union all
    select base_group_key + 52 + value_1, item, list_position
    from cell_items

),

-- per group, each item of its top 10 lists with its best position
group_items as (
    select group_key, item, min(list_position) as best_position
    from sliced_items
    group by group_key, item
),

-- the configured catalog, read whole
catalog_items as (
    select distinct cast("item_id" as text) as item
    from (
        select item_id from oltp.items where status = 'active'
    ) as source
    where "item_id" is not null
),

catalog_sizes as (
    select count(*) as catalog_size
    from catalog_items
),

-- each group's covered items
per_item_summary as (
    select
        group_items.group_key,
        count(case when group_items.best_position <= 5 and catalog_items.item is not null then 1 end) as covered_5,
        count(case when group_items.best_position <= 10 and catalog_items.item is not null then 1 end) as covered_10
    from group_items
    left join catalog_items
        on catalog_items.item = group_items.item
    group by group_items.group_key
),

-- every evaluated request under each of its slices' group_key, with what the sample is drawn by
sliced_requests as (
    select base_group_key as group_key, "shortlist_id", list_length, key_hash, key_text_0
    from cell_rows
    union all
    select base_group_key + 52 + value_1, "shortlist_id", list_length, key_hash, key_text_0
    from cell_rows

),

-- personalization's sample: per group, the 1000 requests with the smallest MD5 of the request key as text
sampled_requests as (
    select group_key, "shortlist_id", list_length, sample_rank
    from (
        select
            group_key,
            "shortlist_id",
            list_length,
            row_number() over (
                partition by group_key
                order by key_hash collate "C", key_text_0 collate "C"
            ) as sample_rank
        from sliced_requests
    ) as ranked
    where sample_rank <= 1000
),

sample_items as (
    select sampled_requests.group_key, sampled_requests.sample_rank, sampled_requests.list_length, list_items.item, list_items.list_position
    from sampled_requests
    inner join "hs_stylist_shortlist__list_items" as list_items
        on list_items."shortlist_id" = sampled_requests."shortlist_id"
    where list_items.list_position <= 10
),

-- pairs of sampled requests that share an item in their top 10, with their overlaps per k
pair_overlaps as (
    select
        a.group_key,
        a.sample_rank as rank_a,
        b.sample_rank as rank_b,
        a.list_length as length_a,
        b.list_length as length_b,
        sum(case when a.list_position <= 5 and b.list_position <= 5 then 1 else 0 end) as overlap_5,
        sum(case when a.list_position <= 10 and b.list_position <= 10 then 1 else 0 end) as overlap_10
    from sample_items as a
    inner join sample_items as b
        on a.group_key = b.group_key
        and a.item = b.item
        and a.sample_rank < b.sample_rank
    group by a.group_key, a.sample_rank, b.sample_rank, a.list_length, b.list_length
),

-- Jaccard overlap of each such pair's top-k sets (pairs sharing nothing add 0)
pair_jaccard as (
    select
        group_key,
        (sum(cast(trunc(cast(overlap_5 as double precision) / nullif(least(5, length_a) + least(5, length_b) - overlap_5, 0)) as bigint)) + sum(cast(round((cast(overlap_5 as double precision) / nullif(least(5, length_a) + least(5, length_b) - overlap_5, 0) - trunc(cast(overlap_5 as double precision) / nullif(least(5, length_a) + least(5, length_b) - overlap_5, 0))) * 1e15) as bigint)) * 0.000000000000001) as jaccard_sum_5,
        (sum(cast(trunc(cast(overlap_10 as double precision) / nullif(least(10, length_a) + least(10, length_b) - overlap_10, 0)) as bigint)) + sum(cast(round((cast(overlap_10 as double precision) / nullif(least(10, length_a) + least(10, length_b) - overlap_10, 0) - trunc(cast(overlap_10 as double precision) / nullif(least(10, length_a) + least(10, length_b) - overlap_10, 0))) * 1e15) as bigint)) * 0.000000000000001) as jaccard_sum_10
    from pair_overlaps
    group by group_key
),

sample_sizes as (
    select group_key, count(*) as sampled
    from sampled_requests
    group by group_key
),

summary as (
    select
        per_request_summary.*,
        per_item_summary.covered_5,
        case
            when sample_sizes.sampled >= 2
            then 1 - cast(coalesce(pair_jaccard.jaccard_sum_5, 0) as double precision) / nullif(sample_sizes.sampled * (sample_sizes.sampled - 1) / 2, 0)
        end as personalization_5,
        per_item_summary.covered_10,
        case
            when sample_sizes.sampled >= 2
            then 1 - cast(coalesce(pair_jaccard.jaccard_sum_10, 0) as double precision) / nullif(sample_sizes.sampled * (sample_sizes.sampled - 1) / 2, 0)
        end as personalization_10,
        sample_sizes.sampled
    from per_request_summary
    inner join per_item_summary
        on per_item_summary.group_key = cast(floor(cast(extract(epoch from (per_request_summary.window_start - cast('1970-01-01' as timestamp))) as double precision) / 3600 / 24) as bigint) * 1099511627776 + per_request_summary.slice_key
    inner join sample_sizes
        on sample_sizes.group_key = per_item_summary.group_key
    left join pair_jaccard
        on pair_jaccard.group_key = per_item_summary.group_key
),

named_groups as (
    select
        case mod((keyed.slice_key) / (104), 1) when 0 then 'week' end as granularity,
        keyed.window_start,
        versions.model_version,
        case mod((keyed.slice_key) / (52), 2) when 1 then 'customer_type' end as segment,
        case
            when mod(keyed.slice_key, 52) = 0 then cast(null as text)
            when mod(keyed.slice_key, 52) = 51 then '__other__'
            else ranks.segment_value
        end as segment_value,
        keyed.n, keyed.n_observed, keyed.hit_5, keyed.hits_5, keyed.recall_sum_5, keyed.ndcg_sum_5, keyed.ap_sum_5, keyed.rr_sum_5, keyed.slots_5, keyed.interactions_5, keyed.hit_10, keyed.hits_10, keyed.recall_sum_10, keyed.ndcg_sum_10, keyed.ap_sum_10, keyed.rr_sum_10, keyed.slots_10, keyed.interactions_10, keyed.sampled, keyed.covered_5, keyed.personalization_5, keyed.covered_10, keyed.personalization_10
    from summary as keyed
    left join model_versions as versions
        on versions.version_index = (keyed.slice_key) / (104)
    left join segment_ranks as ranks
        on ranks.window_start = keyed.window_start
        and ranks.granularity = case mod((keyed.slice_key) / (104), 1) when 0 then 'week' end
        and ranks.segment_index = mod((keyed.slice_key) / (52), 2)
        and ranks.value_rank = mod(keyed.slice_key, 52)

),

with_catalog as (
    select named_groups.*, catalog_sizes.catalog_size
    from named_groups
    cross join catalog_sizes
)

select
    granularity, window_start, model_version, segment, segment_value,
    'requests' as metric,
    cast(null as text) as qualifier,
    cast(n as double precision) as value,
    cast(n as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'hit_rate@5' as metric,
    cast(null as text) as qualifier,
    cast(cast(hit_5 as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'precision@5' as metric,
    cast(null as text) as qualifier,
    cast(cast(hits_5 as double precision) / nullif(n * 5, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'recall@5' as metric,
    cast(null as text) as qualifier,
    cast(cast(recall_sum_5 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'ndcg@5' as metric,
    cast(null as text) as qualifier,
    cast(cast(ndcg_sum_5 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'map@5' as metric,
    cast(null as text) as qualifier,
    cast(cast(ap_sum_5 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mrr@5' as metric,
    cast(null as text) as qualifier,
    cast(cast(rr_sum_5 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'coverage@5' as metric,
    cast(null as text) as qualifier,
    cast(cast(covered_5 as double precision) / nullif(catalog_size, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'popularity@5' as metric,
    cast(null as text) as qualifier,
    cast(cast(interactions_5 as double precision) / nullif(slots_5, 0) as double precision) as value,
    cast(slots_5 as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'personalization@5' as metric,
    cast(null as text) as qualifier,
    cast(personalization_5 as double precision) as value,
    cast(sampled as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'hit_rate@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(hit_10 as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'precision@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(hits_10 as double precision) / nullif(n * 10, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'recall@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(recall_sum_10 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'ndcg@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(ndcg_sum_10 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'map@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(ap_sum_10 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mrr@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(rr_sum_10 as double precision) / nullif(n_observed, 0) as double precision) as value,
    cast(n_observed as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'coverage@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(covered_10 as double precision) / nullif(catalog_size, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'popularity@10' as metric,
    cast(null as text) as qualifier,
    cast(cast(interactions_10 as double precision) / nullif(slots_10, 0) as double precision) as value,
    cast(slots_10 as bigint) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'personalization@10' as metric,
    cast(null as text) as qualifier,
    cast(personalization_10 as double precision) as value,
    cast(sampled as bigint) as sample_size
from with_catalog

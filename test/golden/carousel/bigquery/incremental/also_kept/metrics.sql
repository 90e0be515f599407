-- Recommendation metrics of monitor also_kept for k = 4, 10, per window, model version and
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
        'device' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by granularity, window_start
            order by sum(n) desc, segment_value
        ) as value_rank
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'day' then timestamp_trunc(days.day_start, day) when 'week' then timestamp_trunc(days.day_start, isoweek) end as window_start,
            days.segment_value,
            days.n
        from (
            select timestamp_trunc(predicted_at, day) as day_start, `device` as segment_value, count(*) as n
            from `hs_also_kept__evaluations`
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where `device` is not null and `device` <> '__other__'
            group by 1, 2
        ) as days
        cross join (
            select 'day' as granularity union all
            select 'week' as granularity
        ) as granularities
    ) as segment_values
    where (
        (granularity = 'day' and window_start >= timestamp '2026-11-13 00:00:00') or
        (granularity = 'week' and window_start >= timestamp '2026-11-09 00:00:00')
    )
    group by granularity, window_start, segment_value
    union all
    select
        granularity,
        'viewed_category' as segment,
        window_start,
        segment_value,
        2 as segment_index,
        row_number() over (
            partition by granularity, window_start
            order by sum(n) desc, segment_value
        ) as value_rank
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'day' then timestamp_trunc(days.day_start, day) when 'week' then timestamp_trunc(days.day_start, isoweek) end as window_start,
            days.segment_value,
            days.n
        from (
            select timestamp_trunc(predicted_at, day) as day_start, `viewed_category` as segment_value, count(*) as n
            from `hs_also_kept__evaluations`
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where `viewed_category` is not null and `viewed_category` <> '__other__'
            group by 1, 2
        ) as days
        cross join (
            select 'day' as granularity union all
            select 'week' as granularity
        ) as granularities
    ) as segment_values
    where (
        (granularity = 'day' and window_start >= timestamp '2026-11-13 00:00:00') or
        (granularity = 'week' and window_start >= timestamp '2026-11-09 00:00:00')
    )
    group by granularity, window_start, segment_value

),

model_versions as (
    select model_version, row_number() over (order by model_version) as version_index
    from (select distinct model_version from `hs_also_kept__evaluations` where model_version is not null) as versions

),

-- each evaluated request once per granularity, with what places it in its window and slices
cell_rows as (
    select
        timestamp_trunc(evaluated.predicted_at, day) as window_start,
        (coalesce(versions.version_index, 0) * 2 + 0) * 156 as base_key,
        cast(floor(timestamp_diff(timestamp_trunc(evaluated.predicted_at, day), cast('1970-01-01' as timestamp), microsecond) / 3600000000 / 24) as int64) * 1099511627776 + (coalesce(versions.version_index, 0) * 2 + 0) * 156 as base_group_key,
        case
            when evaluated.`device` is null then 0
            when ranks_1.value_rank <= 50 then ranks_1.value_rank
            else 51
        end as value_1,
        case
            when evaluated.`viewed_category` is null then 0
            when ranks_2.value_rank <= 50 then ranks_2.value_rank
            else 51
        end as value_2,
        evaluated.`impression_id`,
        evaluated.label_status,
        evaluated.list_length,
        evaluated.relevant_items,
        evaluated.first_relevant_position,
        evaluated.hits_at_4,
        evaluated.ndcg_at_4,
        evaluated.ap_at_4,
        evaluated.hits_at_10,
        evaluated.ndcg_at_10,
        evaluated.ap_at_10,
        md5(cast(evaluated.`impression_id` as string)) as key_hash,
        cast(evaluated.`impression_id` as string) as key_text_0
    from `hs_also_kept__evaluations` as evaluated
    left join model_versions as versions
        on versions.model_version = evaluated.model_version
    left join segment_ranks as ranks_1
        on ranks_1.granularity = 'day'
        and ranks_1.segment = 'device'
        and ranks_1.window_start = timestamp_trunc(evaluated.predicted_at, day)
        and ranks_1.segment_value = evaluated.`device`
    left join segment_ranks as ranks_2
        on ranks_2.granularity = 'day'
        and ranks_2.segment = 'viewed_category'
        and ranks_2.window_start = timestamp_trunc(evaluated.predicted_at, day)
        and ranks_2.segment_value = evaluated.`viewed_category`
    where evaluated.label_status <> 'pending'        and evaluated.predicted_at >= timestamp '2026-11-13 00:00:00'
    union all
    select
        timestamp_trunc(evaluated.predicted_at, isoweek) as window_start,
        (coalesce(versions.version_index, 0) * 2 + 1) * 156 as base_key,
        cast(floor(timestamp_diff(timestamp_trunc(evaluated.predicted_at, isoweek), cast('1970-01-01' as timestamp), microsecond) / 3600000000 / 24) as int64) * 1099511627776 + (coalesce(versions.version_index, 0) * 2 + 1) * 156 as base_group_key,
        case
            when evaluated.`device` is null then 0
            when ranks_1.value_rank <= 50 then ranks_1.value_rank
            else 51
        end as value_1,
        case
            when evaluated.`viewed_category` is null then 0
            when ranks_2.value_rank <= 50 then ranks_2.value_rank
            else 51
        end as value_2,
        evaluated.`impression_id`,
        evaluated.label_status,
        evaluated.list_length,
        evaluated.relevant_items,
        evaluated.first_relevant_position,
        evaluated.hits_at_4,
        evaluated.ndcg_at_4,
        evaluated.ap_at_4,
        evaluated.hits_at_10,
        evaluated.ndcg_at_10,
        evaluated.ap_at_10,
        md5(cast(evaluated.`impression_id` as string)) as key_hash,
        cast(evaluated.`impression_id` as string) as key_text_0
    from `hs_also_kept__evaluations` as evaluated
    left join model_versions as versions
        on versions.model_version = evaluated.model_version
    left join segment_ranks as ranks_1
        on ranks_1.granularity = 'week'
        and ranks_1.segment = 'device'
        and ranks_1.window_start = timestamp_trunc(evaluated.predicted_at, isoweek)
        and ranks_1.segment_value = evaluated.`device`
    left join segment_ranks as ranks_2
        on ranks_2.granularity = 'week'
        and ranks_2.segment = 'viewed_category'
        and ranks_2.window_start = timestamp_trunc(evaluated.predicted_at, isoweek)
        and ranks_2.segment_value = evaluated.`viewed_category`
    where evaluated.label_status <> 'pending'        and evaluated.predicted_at >= timestamp '2026-11-09 00:00:00'

),

-- interaction events per item and window, any user: the items' popularity
item_interactions as (
    select 0 as granularity_index, timestamp_trunc(observed_at, day) as window_start, item, count(*) as interactions
    from `hs_also_kept__outcome_events`
    group by 1, 2, 3
    union all
    select 1 as granularity_index, timestamp_trunc(observed_at, isoweek) as window_start, item, count(*) as interactions
    from `hs_also_kept__outcome_events`
    group by 1, 2, 3
),

-- the top 10 items of every evaluated request, once per granularity, with their interactions in
-- the window
cell_items as (
    select
        cell_rows.window_start, cell_rows.base_key, cell_rows.value_1, cell_rows.value_2,
        cell_rows.base_group_key,
        list_items.item,
        list_items.list_position,
        coalesce(item_interactions.interactions, 0) as interactions
    from cell_rows
    inner join `hs_also_kept__list_items` as list_items
        on list_items.`impression_id` = cell_rows.`impression_id`
    left join item_interactions
        on item_interactions.granularity_index = mod(div(cell_rows.base_key, 156), 2)
        and item_interactions.window_start = cell_rows.window_start
        and item_interactions.item = list_items.item
    where list_items.list_position <= 10
),

-- one cell per window, model version and combination of segment values: the sums of its requests'
-- own values, and the slots and interactions of their top-k items (popularity)
cells as (
    select
        window_start, base_key, value_1, value_2,
        count(*) as n,
        sum(case when label_status = 'observed' then 1 else 0 end) as n_observed,
        sum(case when hits_at_4 > 0 then 1 else 0 end) as hit_4,
        sum(hits_at_4) as hits_4,
        sum(cast(case when label_status = 'observed' then safe_divide(cast(hits_at_4 as float64), relevant_items) end as bignumeric)) as recall_sum_4,
        sum(cast(case when label_status = 'observed' then ndcg_at_4 end as bignumeric)) as ndcg_sum_4,
        sum(cast(case when label_status = 'observed' then ap_at_4 end as bignumeric)) as ap_sum_4,
        sum(cast(case when label_status = 'observed' then case when first_relevant_position <= 4 then safe_divide(cast(1 as float64), first_relevant_position) else 0 end end as bignumeric)) as rr_sum_4,
        cast(null as int64) as slots_4,
        cast(null as int64) as interactions_4,
        sum(case when hits_at_10 > 0 then 1 else 0 end) as hit_10,
        sum(hits_at_10) as hits_10,
        sum(cast(case when label_status = 'observed' then safe_divide(cast(hits_at_10 as float64), relevant_items) end as bignumeric)) as recall_sum_10,
        sum(cast(case when label_status = 'observed' then ndcg_at_10 end as bignumeric)) as ndcg_sum_10,
        sum(cast(case when label_status = 'observed' then ap_at_10 end as bignumeric)) as ap_sum_10,
        sum(cast(case when label_status = 'observed' then case when first_relevant_position <= 10 then safe_divide(cast(1 as float64), first_relevant_position) else 0 end end as bignumeric)) as rr_sum_10,
        cast(null as int64) as slots_10,
        cast(null as int64) as interactions_10
    from cell_rows
    group by window_start, base_key, value_1, value_2
    union all
    select
        window_start, base_key, value_1, value_2,
        null, null,
        null, null, null, null, null, null,
        sum(case when list_position <= 4 then 1 else 0 end),
        sum(case when list_position <= 4 then interactions else 0 end),
        null, null, null, null, null, null,
        sum(case when list_position <= 10 then 1 else 0 end),
        sum(case when list_position <= 10 then interactions else 0 end)
    from cell_items
    group by window_start, base_key, value_1, value_2
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
    select window_start, base_key as slice_key, n, n_observed, hit_4, hits_4, recall_sum_4, ndcg_sum_4, ap_sum_4, rr_sum_4, slots_4, interactions_4, hit_10, hits_10, recall_sum_10, ndcg_sum_10, ap_sum_10, rr_sum_10, slots_10, interactions_10
    from cells
    union all
    select window_start, base_key + 52 + value_1, n, n_observed, hit_4, hits_4, recall_sum_4, ndcg_sum_4, ap_sum_4, rr_sum_4, slots_4, interactions_4, hit_10, hits_10, recall_sum_10, ndcg_sum_10, ap_sum_10, rr_sum_10, slots_10, interactions_10
    from cells
    union all
    select window_start, base_key + 104 + value_2, n, n_observed, hit_4, hits_4, recall_sum_4, ndcg_sum_4, ap_sum_4, rr_sum_4, slots_4, interactions_4, hit_10, hits_10, recall_sum_10, ndcg_sum_10, ap_sum_10, rr_sum_10, slots_10, interactions_10
    from cells

),

-- each group's sums (the exact sums add up exactly)
per_request_summary as (
    select
        window_start,
        slice_key,
        sum(n) as n,
        sum(n_observed) as n_observed,
        sum(hit_4) as hit_4,
        sum(hits_4) as hits_4,
        sum(recall_sum_4) as recall_sum_4,
        sum(ndcg_sum_4) as ndcg_sum_4,
        sum(ap_sum_4) as ap_sum_4,
        sum(rr_sum_4) as rr_sum_4,
        sum(slots_4) as slots_4,
        sum(interactions_4) as interactions_4,
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
    union all
    select base_group_key + 104 + value_2, item, list_position
    from cell_items

),

-- per group, each item of its top 10 lists with its best position
group_items as (
    select group_key, item, min(list_position) as best_position
    from sliced_items
    group by group_key, item
),

-- no configured catalog: a window's catalog is the items of its requests' kept lists and of its
-- interactions, found once per day (days nest in every granularity's windows: macros/windows.sql)
catalog_days as (
    select distinct day_start, item
    from (
        select timestamp_trunc(predicted_at, day) as day_start, item
        from `hs_also_kept__list_items`
        union all
        select timestamp_trunc(observed_at, day), item
        from `hs_also_kept__outcome_events`
    ) as day_items
),

catalog_sizes as (
    select granularity, window_start, count(*) as catalog_size
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'day' then timestamp_trunc(days.day_start, day) when 'week' then timestamp_trunc(days.day_start, isoweek) end as window_start,
            days.item
        from (
            select day_start, item
            from catalog_days
        ) as days
        cross join (
            select 'day' as granularity union all
            select 'week' as granularity
        ) as granularities
        group by 1, 2, 3
    ) as window_items
    group by granularity, window_start
),

-- each group's covered items
per_item_summary as (
    select
        group_items.group_key,
        count(case when group_items.best_position <= 4 then 1 end) as covered_4,
        count(case when group_items.best_position <= 10 then 1 end) as covered_10
    from group_items
    group by group_items.group_key
),

-- every evaluated request under each of its slices' group_key, with what the sample is drawn by
sliced_requests as (
    select base_group_key as group_key, `impression_id`, list_length, key_hash, key_text_0
    from cell_rows
    union all
    select base_group_key + 52 + value_1, `impression_id`, list_length, key_hash, key_text_0
    from cell_rows
    union all
    select base_group_key + 104 + value_2, `impression_id`, list_length, key_hash, key_text_0
    from cell_rows

),

-- personalization's sample: per group, the 1000 requests with the smallest MD5 of the request key as text
sampled_requests as (
    select group_key, `impression_id`, list_length, sample_rank
    from (
        select
            group_key,
            `impression_id`,
            list_length,
            row_number() over (
                partition by group_key
                order by key_hash, key_text_0
            ) as sample_rank
        from sliced_requests
    ) as ranked
    where sample_rank <= 1000
),

sample_items as (
    select sampled_requests.group_key, sampled_requests.sample_rank, sampled_requests.list_length, list_items.item, list_items.list_position
    from sampled_requests
    inner join `hs_also_kept__list_items` as list_items
        on list_items.`impression_id` = sampled_requests.`impression_id`
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
        sum(case when a.list_position <= 4 and b.list_position <= 4 then 1 else 0 end) as overlap_4,
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
        sum(cast(safe_divide(cast(overlap_4 as float64), least(4, length_a) + least(4, length_b) - overlap_4) as bignumeric)) as jaccard_sum_4,
        sum(cast(safe_divide(cast(overlap_10 as float64), least(10, length_a) + least(10, length_b) - overlap_10) as bignumeric)) as jaccard_sum_10
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
        per_item_summary.covered_4,
        case
            when sample_sizes.sampled >= 2
            then 1 - safe_divide(cast(coalesce(pair_jaccard.jaccard_sum_4, 0) as float64), sample_sizes.sampled * (sample_sizes.sampled - 1) / 2)
        end as personalization_4,
        per_item_summary.covered_10,
        case
            when sample_sizes.sampled >= 2
            then 1 - safe_divide(cast(coalesce(pair_jaccard.jaccard_sum_10, 0) as float64), sample_sizes.sampled * (sample_sizes.sampled - 1) / 2)
        end as personalization_10,
        sample_sizes.sampled
    from per_request_summary
    inner join per_item_summary
        on per_item_summary.group_key = cast(floor(timestamp_diff(per_request_summary.window_start, cast('1970-01-01' as timestamp), microsecond) / 3600000000 / 24) as int64) * 1099511627776 + per_request_summary.slice_key
    inner join sample_sizes
        on sample_sizes.group_key = per_item_summary.group_key
    left join pair_jaccard
        on pair_jaccard.group_key = per_item_summary.group_key
),

named_groups as (
    select
        case mod(div(keyed.slice_key, 156), 2) when 0 then 'day' when 1 then 'week' end as granularity,
        keyed.window_start,
        versions.model_version,
        case mod(div(keyed.slice_key, 52), 3) when 1 then 'device' when 2 then 'viewed_category' end as segment,
        case
            when mod(keyed.slice_key, 52) = 0 then cast(null as string)
            when mod(keyed.slice_key, 52) = 51 then '__other__'
            else ranks.segment_value
        end as segment_value,
        keyed.n, keyed.n_observed, keyed.hit_4, keyed.hits_4, keyed.recall_sum_4, keyed.ndcg_sum_4, keyed.ap_sum_4, keyed.rr_sum_4, keyed.slots_4, keyed.interactions_4, keyed.hit_10, keyed.hits_10, keyed.recall_sum_10, keyed.ndcg_sum_10, keyed.ap_sum_10, keyed.rr_sum_10, keyed.slots_10, keyed.interactions_10, keyed.sampled, keyed.covered_4, keyed.personalization_4, keyed.covered_10, keyed.personalization_10
    from summary as keyed
    left join model_versions as versions
        on versions.version_index = div(keyed.slice_key, 312)
    left join segment_ranks as ranks
        on ranks.window_start = keyed.window_start
        and ranks.granularity = case mod(div(keyed.slice_key, 156), 2) when 0 then 'day' when 1 then 'week' end
        and ranks.segment_index = mod(div(keyed.slice_key, 52), 3)
        and ranks.value_rank = mod(keyed.slice_key, 52)

),

with_catalog as (
    select named_groups.*, catalog_sizes.catalog_size
    from named_groups
    left join catalog_sizes
        on catalog_sizes.granularity = named_groups.granularity
        and catalog_sizes.window_start = named_groups.window_start
)

select
    granularity, window_start, model_version, segment, segment_value,
    'requests' as metric,
    cast(null as string) as qualifier,
    cast(n as float64) as value,
    cast(n as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'hit_rate@4' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(hit_4 as float64), n) as float64) as value,
    cast(n as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'precision@4' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(hits_4 as float64), n * 4) as float64) as value,
    cast(n as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'recall@4' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(recall_sum_4 as float64), n_observed) as float64) as value,
    cast(n_observed as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'ndcg@4' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(ndcg_sum_4 as float64), n_observed) as float64) as value,
    cast(n_observed as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'map@4' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(ap_sum_4 as float64), n_observed) as float64) as value,
    cast(n_observed as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mrr@4' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(rr_sum_4 as float64), n_observed) as float64) as value,
    cast(n_observed as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'coverage@4' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(covered_4 as float64), catalog_size) as float64) as value,
    cast(n as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'popularity@4' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(interactions_4 as float64), slots_4) as float64) as value,
    cast(slots_4 as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'personalization@4' as metric,
    cast(null as string) as qualifier,
    cast(personalization_4 as float64) as value,
    cast(sampled as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'hit_rate@10' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(hit_10 as float64), n) as float64) as value,
    cast(n as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'precision@10' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(hits_10 as float64), n * 10) as float64) as value,
    cast(n as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'recall@10' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(recall_sum_10 as float64), n_observed) as float64) as value,
    cast(n_observed as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'ndcg@10' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(ndcg_sum_10 as float64), n_observed) as float64) as value,
    cast(n_observed as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'map@10' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(ap_sum_10 as float64), n_observed) as float64) as value,
    cast(n_observed as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mrr@10' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(rr_sum_10 as float64), n_observed) as float64) as value,
    cast(n_observed as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'coverage@10' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(covered_10 as float64), catalog_size) as float64) as value,
    cast(n as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'popularity@10' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(interactions_10 as float64), slots_10) as float64) as value,
    cast(slots_10 as int64) as sample_size
from with_catalog
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'personalization@10' as metric,
    cast(null as string) as qualifier,
    cast(personalization_10 as float64) as value,
    cast(sampled as int64) as sample_size
from with_catalog

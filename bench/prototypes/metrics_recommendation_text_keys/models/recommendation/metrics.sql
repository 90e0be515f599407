{% import "macros/sources.sql" as src with context %}
{% import "macros/slices.sql" as slices with context %}
{% import "macros/recommendation.sql" as rec with context %}
{% set r = m.recommendation %}
{% set group_keys = 'granularity, window_start, model_version, segment, segment_value' %}
{% set max_k = r.k[r.k.length - 1] %}
{% set request_columns = [] %}
{% for k in m.predictions.key %}{% set _ = request_columns.push(d.quote(k)) %}{% endfor %}
{% set _ = request_columns.push('label_status', 'list_length', 'relevant_items', 'first_relevant_position') %}
{% for k in r.k %}{% set _ = request_columns.push('hits_at_' + k, 'ndcg_at_' + k, 'ap_at_' + k) %}{% endfor %}
-- Recommendation metrics of monitor {{ m.name }} for k = {{ r.k | join(', ') }}, per window, model version and
-- slice, over the evaluated requests (window closed): hit rate and precision over all of them;
-- recall, nDCG, MAP and MRR over those with a relevant item; coverage, popularity and
-- personalization (on a sample of at most {{ r.personalizationSample }} requests per group) from their top-k items.
-- Sums of doubles are exact (d.exactSum), so the values never depend on row order.
with {% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks() }}
),

{% endif %}sliced as (
{{ slices.sliced_rows(request_columns, "evaluated.label_status <> 'pending'") }}
),

-- each group gets a number, so that groups join on one non-NULL column
requests as (
    select
        sliced.*,
        dense_rank() over (order by {{ group_keys }}) as group_id
    from sliced
),

per_request_summary as (
    select
        group_id,
        {{ group_keys }},
        count(*) as n,
        sum(case when label_status = 'observed' then 1 else 0 end) as n_observed,
{% for k in r.k %}
        sum(case when hits_at_{{ k }} > 0 then 1 else 0 end) as hit_{{ k }},
        sum(hits_at_{{ k }}) as hits_{{ k }},
        {{ d.exactSum("case when label_status = 'observed' then " + d.divide('hits_at_' + k, 'relevant_items') + ' end') }} as recall_sum_{{ k }},
        {{ d.exactSum("case when label_status = 'observed' then ndcg_at_" + k + ' end') }} as ndcg_sum_{{ k }},
        {{ d.exactSum("case when label_status = 'observed' then ap_at_" + k + ' end') }} as ap_sum_{{ k }},
        {{ d.exactSum("case when label_status = 'observed' then case when first_relevant_position <= " + k + ' then ' + d.divide('1', 'first_relevant_position') + ' else 0 end end') }} as rr_sum_{{ k }}{{ ',' if not loop.last }}
{% endfor %}
    from requests
    group by group_id, {{ group_keys }}
),

-- the top {{ max_k }} items of every evaluated request, in every group it is in
top_items as (
    select
        requests.group_id,
        requests.granularity,
        requests.window_start,
        list_items.item,
        list_items.list_position
    from requests
    inner join {{ rel('list_items') }} as list_items
        on {{ src.key_match('list_items', 'requests') }}
    where list_items.list_position <= {{ max_k }}
),

{% if r.catalog %}
-- the configured catalog, read whole
catalog_items as (
    select distinct {{ d.toText(d.quote(r.catalog.item)) }} as item
    from {{ src.source(r.catalog) }}
    where {{ d.quote(r.catalog.item) }} is not null
),

catalog_size as (
    select count(*) as catalog_size
    from catalog_items
),
{% else %}
-- no configured catalog: a window's catalog is the items of its requests' kept lists and of its interactions
window_items as (
{% for g in m.granularities %}
    select '{{ g }}' as granularity, {{ d.windowStart(g, 'predicted_at') }} as window_start, item
    from {{ rel('list_items') }}
    union all
    select '{{ g }}', {{ d.windowStart(g, 'observed_at') }}, item
    from {{ rel('outcome_events') }}
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
),

catalog_sizes as (
    select granularity, window_start, count(distinct item) as catalog_size
    from window_items
    group by granularity, window_start
),
{% endif %}

-- interaction events per item and window, any user: the items' popularity
item_interactions as (
{% for g in m.granularities %}
    select '{{ g }}' as granularity, {{ d.windowStart(g, 'observed_at') }} as window_start, item, count(*) as interactions
    from {{ rel('outcome_events') }}
    group by 1, 2, 3
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
),

per_item_summary as (
    select
        top_items.group_id,
{% for k in r.k %}
        count(distinct case when top_items.list_position <= {{ k }}{{ ' and catalog_items.item is not null' if r.catalog }} then top_items.item end) as covered_{{ k }},
        sum(case when top_items.list_position <= {{ k }} then 1 else 0 end) as slots_{{ k }},
        sum(case when top_items.list_position <= {{ k }} then coalesce(item_interactions.interactions, 0) else 0 end) as interactions_{{ k }},
{% endfor %}
        max({{ 'catalog_size.catalog_size' if r.catalog else 'catalog_sizes.catalog_size' }}) as catalog_size
    from top_items
{% if r.catalog %}
    left join catalog_items
        on catalog_items.item = top_items.item
    cross join catalog_size
{% else %}
    left join catalog_sizes
        on catalog_sizes.granularity = top_items.granularity
        and catalog_sizes.window_start = top_items.window_start
{% endif %}
    left join item_interactions
        on item_interactions.granularity = top_items.granularity
        and item_interactions.window_start = top_items.window_start
        and item_interactions.item = top_items.item
    group by top_items.group_id
),

-- personalization's sample: per group, the {{ r.personalizationSample }} requests with the smallest MD5 of the request key as text
sampled_requests as (
    select group_id, {{ src.key_list() }}, list_length, sample_rank
    from (
        select
            hashed.*,
            row_number() over (
                partition by group_id
                order by {{ d.binaryCollate('key_hash') }}{% for k in m.predictions.key %}, {{ d.binaryCollate('key_text_' + loop.index0) }}{% endfor %}

            ) as sample_rank
        from (
            select
                group_id,
                {{ src.key_list() }},
                list_length,
                {{ d.md5(rec.key_text()) }} as key_hash{% for k in m.predictions.key %},
                {{ d.toText(d.quote(k)) }} as key_text_{{ loop.index0 }}{% endfor %}

            from requests
        ) as hashed
    ) as ranked
    where sample_rank <= {{ r.personalizationSample }}
),

sample_items as (
    select sampled_requests.group_id, sampled_requests.sample_rank, list_items.item, list_items.list_position
    from sampled_requests
    inner join {{ rel('list_items') }} as list_items
        on {{ src.key_match('list_items', 'sampled_requests') }}
    where list_items.list_position <= {{ max_k }}
),

-- pairs of sampled requests that share an item in their top {{ max_k }}, with their overlaps per k
pair_overlaps as (
    select
        a.group_id,
        a.sample_rank as rank_a,
        b.sample_rank as rank_b,
{% for k in r.k %}
        sum(case when a.list_position <= {{ k }} and b.list_position <= {{ k }} then 1 else 0 end) as overlap_{{ k }}{{ ',' if not loop.last }}
{% endfor %}
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
{% for k in r.k %}
        {{ d.exactSum(d.divide('overlap_' + k, 'least(' + k + ', a.list_length) + least(' + k + ', b.list_length) - overlap_' + k)) }} as jaccard_sum_{{ k }}{{ ',' if not loop.last }}
{% endfor %}
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
{% for k in r.k %}
        per_item_summary.covered_{{ k }},
        per_item_summary.slots_{{ k }},
        per_item_summary.interactions_{{ k }},
        case
            when sample_sizes.sampled >= 2
            then 1 - {{ d.divide('coalesce(pair_jaccard.jaccard_sum_' + k + ', 0)', 'sample_sizes.sampled * (sample_sizes.sampled - 1) / 2') }}
        end as personalization_{{ k }},
{% endfor %}
        sample_sizes.sampled
    from per_request_summary
    inner join per_item_summary
        on per_item_summary.group_id = per_request_summary.group_id
    inner join sample_sizes
        on sample_sizes.group_id = per_request_summary.group_id
    left join pair_jaccard
        on pair_jaccard.group_id = per_request_summary.group_id
)

{% set rows = [['requests', 'n', 'n']] %}
{% for k in r.k %}
{% set _ = rows.push(
    ['hit_rate@' + k, d.divide('hit_' + k, 'n'), 'n'],
    ['precision@' + k, d.divide('hits_' + k, 'n * ' + k), 'n'],
    ['recall@' + k, d.divide('recall_sum_' + k, 'n_observed'), 'n_observed'],
    ['ndcg@' + k, d.divide('ndcg_sum_' + k, 'n_observed'), 'n_observed'],
    ['map@' + k, d.divide('ap_sum_' + k, 'n_observed'), 'n_observed'],
    ['mrr@' + k, d.divide('rr_sum_' + k, 'n_observed'), 'n_observed'],
    ['coverage@' + k, d.divide('covered_' + k, 'catalog_size'), 'n'],
    ['popularity@' + k, d.divide('interactions_' + k, 'slots_' + k), 'slots_' + k],
    ['personalization@' + k, 'personalization_' + k, 'sampled']
) %}
{% endfor %}
{% for metric, value, sample_size in rows %}
select
    {{ group_keys }},
    '{{ metric }}' as metric,
    cast(null as {{ d.types.text }}) as qualifier,
    {{ d.toDouble(value) }} as value,
    cast({{ sample_size }} as {{ d.types.bigint }}) as sample_size
from summary
{% if not loop.last %}
union all
{% endif %}
{% endfor %}

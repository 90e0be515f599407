{% import "macros/sources.sql" as src with context %}
{% import "macros/slices.sql" as slices with context %}
{% import "macros/recommendation.sql" as rec with context %}
{% import "macros/windows.sql" as windows with context %}
{% import "macros/metric_rows.sql" as output with context %}
{% set r = m.recommendation %}
{% set max_k = r.k[r.k.length - 1] %}
{% set evaluated = "evaluated.label_status <> 'pending'" %}
{% set key_columns = [] %}
{% for k in m.predictions.key %}{% set _ = key_columns.push(d.quote(k)) %}{% endfor %}
{% set key_texts = [] %}
{% for k in m.predictions.key %}{% set _ = key_texts.push('key_text_' + loop.index0) %}{% endfor %}
-- Recommendation metrics of monitor {{ m.name }} for k = {{ r.k | join(', ') }}, per window, model version and
-- slice, over the evaluated requests (window closed): hit rate and precision over all of them;
-- recall, nDCG, MAP and MRR over those with a relevant item; coverage, popularity and
-- personalization (on a sample of at most {{ r.personalizationSample }} requests per group) from their top-k items.
-- Sums of doubles are exact (d.exactSum), so the values never depend on row order.
-- Groups are keyed by one bigint (group_key, macros/slices.sql) until the last step, which names
-- them. The per-request sums come from cells: each evaluated request is counted once per
-- granularity, in a cell of its window, model version and segment values, and the slices are added
-- up from the cells; so are popularity's slots and interactions, from each request's top-k items.
-- Coverage reads each slice's top-k items, grouped by item first, and personalization each slice's
-- sampled requests. The template before this one sliced every request and every top-k item by five
-- text columns: its metric step took 1.66x this one's CPU at 1M on DuckDB (docs/performance.md).
with {% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks() }}
),

{% endif %}model_versions as (
{{ slices.model_versions() }}
),

{% set cell_columns = [] %}
{% for k in key_columns %}{% set _ = cell_columns.push('evaluated.' + k) %}{% endfor %}
{% set _ = cell_columns.push('evaluated.label_status', 'evaluated.list_length', 'evaluated.relevant_items', 'evaluated.first_relevant_position') %}
{% for k in r.k %}{% set _ = cell_columns.push('evaluated.hits_at_' + k, 'evaluated.ndcg_at_' + k, 'evaluated.ap_at_' + k) %}{% endfor %}
{% set _ = cell_columns.push(d.md5(rec.key_text('evaluated.')) + ' as key_hash') %}
{% for k in m.predictions.key %}{% set _ = cell_columns.push(d.toText('evaluated.' + d.quote(k)) + ' as key_text_' + loop.index0) %}{% endfor %}
-- each evaluated request once per granularity, with what places it in its window and slices
cell_rows as (
{{ slices.cell_rows(cell_columns, evaluated) }}
),

{% set cell_keys = ['window_start', 'base_key'] %}
{% for s in m.segments %}{% set _ = cell_keys.push('value_' + loop.index) %}{% endfor %}
{% set request_sums = ['n', 'n_observed'] %}
{% for k in r.k %}{% set _ = request_sums.push('hit_' + k, 'hits_' + k, 'recall_sum_' + k, 'ndcg_sum_' + k, 'ap_sum_' + k, 'rr_sum_' + k, 'slots_' + k, 'interactions_' + k) %}{% endfor %}
-- interaction events per item and window, any user: the items' popularity
item_interactions as (
{% for g in m.granularities %}
    select {{ loop.index0 }} as granularity_index, {{ d.windowStart(g, 'observed_at') }} as window_start, item, count(*) as interactions
    from {{ rel('outcome_events') }}
    group by 1, 2, 3
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
),

-- the top {{ max_k }} items of every evaluated request, once per granularity, with their interactions in
-- the window
cell_items as (
    select
        cell_rows.{{ cell_keys | join(', cell_rows.') }},
        cell_rows.base_group_key,
        list_items.item,
        list_items.list_position,
        coalesce(item_interactions.interactions, 0) as interactions
    from cell_rows
    inner join {{ rel('list_items') }} as list_items
        on {{ src.key_match('list_items', 'cell_rows') }}
    left join item_interactions
        on item_interactions.granularity_index = {{ slices.granularity_index('cell_rows.base_key') }}
        and item_interactions.window_start = cell_rows.window_start
        and item_interactions.item = list_items.item
    where list_items.list_position <= {{ max_k }}
),

-- one cell per window, model version and combination of segment values: the sums of its requests'
-- own values, and the slots and interactions of their top-k items (popularity)
cells as (
    select
        {{ cell_keys | join(', ') }},
        count(*) as n,
        sum(case when label_status = 'observed' then 1 else 0 end) as n_observed,
{% for k in r.k %}
        sum(case when hits_at_{{ k }} > 0 then 1 else 0 end) as hit_{{ k }},
        sum(hits_at_{{ k }}) as hits_{{ k }},
        {{ d.exactSum("case when label_status = 'observed' then " + d.divide('hits_at_' + k, 'relevant_items') + ' end') }} as recall_sum_{{ k }},
        {{ d.exactSum("case when label_status = 'observed' then ndcg_at_" + k + ' end') }} as ndcg_sum_{{ k }},
        {{ d.exactSum("case when label_status = 'observed' then ap_at_" + k + ' end') }} as ap_sum_{{ k }},
        {{ d.exactSum("case when label_status = 'observed' then case when first_relevant_position <= " + k + ' then ' + d.divide('1', 'first_relevant_position') + ' else 0 end end') }} as rr_sum_{{ k }},
        cast(null as {{ d.types.bigint }}) as slots_{{ k }},
        cast(null as {{ d.types.bigint }}) as interactions_{{ k }}{{ ',' if not loop.last }}
{% endfor %}
    from cell_rows
    group by {{ cell_keys | join(', ') }}
    union all
    select
        {{ cell_keys | join(', ') }},
        null, null,
{% for k in r.k %}
        null, null, null, null, null, null,
        sum(case when list_position <= {{ k }} then 1 else 0 end),
        sum(case when list_position <= {{ k }} then interactions else 0 end){{ ',' if not loop.last }}
{% endfor %}
    from cell_items
    group by {{ cell_keys | join(', ') }}
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
{{ slices.keyed_cells('cells', request_sums) }}
),

-- each group's sums (the exact sums add up exactly)
per_request_summary as (
    select
        window_start,
        slice_key,
{% for c in request_sums %}
        sum({{ c }}) as {{ c }}{{ ',' if not loop.last }}
{% endfor %}
    from keyed_cells
    group by window_start, slice_key
),

-- each top-k item under each of its request's slices' group_key
sliced_items as (
{{ slices.sliced_cell_rows(['item', 'list_position'], source='cell_items') }}
),

-- per group, each item of its top {{ max_k }} lists with its best position
group_items as (
    select group_key, item, min(list_position) as best_position
    from sliced_items
    group by group_key, item
),

{% if r.catalog %}
-- the configured catalog, read whole
catalog_items as (
    select distinct {{ d.toText(d.quote(r.catalog.item)) }} as item
    from {{ src.source(r.catalog) }}
    where {{ d.quote(r.catalog.item) }} is not null
),

catalog_sizes as (
    select count(*) as catalog_size
    from catalog_items
),
{% else %}
-- no configured catalog: a window's catalog is the items of its requests' kept lists and of its
-- interactions, found once per day (days nest in every granularity's windows: macros/windows.sql)
catalog_days as (
    select distinct day_start, item
    from (
        select {{ d.windowStart('day', 'predicted_at') }} as day_start, item
        from {{ rel('list_items') }}
        union all
        select {{ d.windowStart('day', 'observed_at') }}, item
        from {{ rel('outcome_events') }}
    ) as day_items
),

catalog_sizes as (
    select granularity, window_start, count(*) as catalog_size
    from (
{% call windows.from_days(['days.item'], '        ') %}
            select day_start, item
            from catalog_days
{% endcall %}
        group by 1, 2, 3
    ) as window_items
    group by granularity, window_start
),
{% endif %}

-- each group's covered items
per_item_summary as (
    select
        group_items.group_key,
{% for k in r.k %}
        count(case when group_items.best_position <= {{ k }}{{ ' and catalog_items.item is not null' if r.catalog }} then 1 end) as covered_{{ k }}{{ ',' if not loop.last }}
{% endfor %}
    from group_items
{% if r.catalog %}
    left join catalog_items
        on catalog_items.item = group_items.item
{% endif %}
    group by group_items.group_key
),

-- every evaluated request under each of its slices' group_key, with what the sample is drawn by
sliced_requests as (
{{ slices.sliced_cell_rows(key_columns.concat(['list_length', 'key_hash'], key_texts)) }}
),

-- personalization's sample: per group, the {{ r.personalizationSample }} requests with the smallest MD5 of the request key as text
sampled_requests as (
    select group_key, {{ src.key_list() }}, list_length, sample_rank
    from (
        select
            group_key,
            {{ src.key_list() }},
            list_length,
            row_number() over (
                partition by group_key
                order by {{ d.binaryCollate('key_hash') }}{% for t in key_texts %}, {{ d.binaryCollate(t) }}{% endfor %}

            ) as sample_rank
        from sliced_requests
    ) as ranked
    where sample_rank <= {{ r.personalizationSample }}
),

sample_items as (
    select sampled_requests.group_key, sampled_requests.sample_rank, sampled_requests.list_length, list_items.item, list_items.list_position
    from sampled_requests
    inner join {{ rel('list_items') }} as list_items
        on {{ src.key_match('list_items', 'sampled_requests') }}
    where list_items.list_position <= {{ max_k }}
),

-- pairs of sampled requests that share an item in their top {{ max_k }}, with their overlaps per k
pair_overlaps as (
    select
        a.group_key,
        a.sample_rank as rank_a,
        b.sample_rank as rank_b,
        a.list_length as length_a,
        b.list_length as length_b,
{% for k in r.k %}
        sum(case when a.list_position <= {{ k }} and b.list_position <= {{ k }} then 1 else 0 end) as overlap_{{ k }}{{ ',' if not loop.last }}
{% endfor %}
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
{% for k in r.k %}
        {{ d.exactSum(d.divide('overlap_' + k, 'least(' + k + ', length_a) + least(' + k + ', length_b) - overlap_' + k)) }} as jaccard_sum_{{ k }}{{ ',' if not loop.last }}
{% endfor %}
    from pair_overlaps
    group by group_key
),

sample_sizes as (
    select group_key, count(*) as sampled
    from sampled_requests
    group by group_key
),

{% set summary_columns = request_sums.concat(['sampled']) %}
{% for k in r.k %}{% set _ = summary_columns.push('covered_' + k, 'personalization_' + k) %}{% endfor %}
summary as (
    select
        per_request_summary.*,
{% for k in r.k %}
        per_item_summary.covered_{{ k }},
        case
            when sample_sizes.sampled >= 2
            then 1 - {{ d.divide('coalesce(pair_jaccard.jaccard_sum_' + k + ', 0)', 'sample_sizes.sampled * (sample_sizes.sampled - 1) / 2') }}
        end as personalization_{{ k }},
{% endfor %}
        sample_sizes.sampled
    from per_request_summary
    inner join per_item_summary
        on per_item_summary.group_key = {{ slices.group_key('per_request_summary.window_start', 'per_request_summary.slice_key') }}
    inner join sample_sizes
        on sample_sizes.group_key = per_item_summary.group_key
    left join pair_jaccard
        on pair_jaccard.group_key = per_item_summary.group_key
),

named_groups as (
{{ slices.slice_groups('summary', summary_columns) }}
),

with_catalog as (
    select named_groups.*, catalog_sizes.catalog_size
    from named_groups
{% if r.catalog %}
    cross join catalog_sizes
{% else %}
    left join catalog_sizes
        on catalog_sizes.granularity = named_groups.granularity
        and catalog_sizes.window_start = named_groups.window_start
{% endif %}
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
{{ output.metric_rows(rows, 'with_catalog') -}}

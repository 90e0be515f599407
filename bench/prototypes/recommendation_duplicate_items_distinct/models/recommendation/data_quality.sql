{% import "macros/data_quality.sql" as quality with context %}
{% import "macros/sources.sql" as src with context %}
-- Data-quality rows of monitor {{ m.name }} (docs/semantics.md §5e): copies of request lists read and
-- removed, items listed twice, requests by label status, how long until the first counting
-- interaction, and the interactions that count for no request. One row per metric, like the metrics.
with copies as (
    select distinct {{ src.key_list() }}, copy_rank, predicted_at, model_version
    from {{ rel('prediction_events') }}
),

-- rows of kept lists whose item was listed again
list_duplicates as (
    select {{ src.key_list() }}, predicted_at, model_version, count(*) - count(distinct item) as duplicate_items
    from {{ rel('prediction_events') }}
    where copy_rank = 1
    group by {{ src.key_list() }}, predicted_at, model_version
),

counts as (
{% for g in m.granularities %}
    -- {{ g }}: copies by their own window and version
    select
        '{{ g }}' as granularity,
        {{ d.windowStart(g, 'predicted_at') }} as window_start,
        model_version,
        count(*) as prediction_events,
        sum(case when copy_rank > 1 then 1 else 0 end) as duplicates_removed,
        0 as duplicate_items,
        0 as observed, 0 as pending, 0 as missing,
        cast(null as {{ d.types.double }}) as label_delay_p50,
        cast(null as {{ d.types.double }}) as label_delay_p90
    from copies
    group by 1, 2, 3
    union all
    -- {{ g }}: items listed twice, by the request's window and version
    select
        '{{ g }}',
        {{ d.windowStart(g, 'predicted_at') }},
        model_version,
        0,
        0,
        sum(duplicate_items),
        0, 0, 0,
        cast(null as {{ d.types.double }}),
        cast(null as {{ d.types.double }})
    from list_duplicates
    group by 1, 2, 3
    union all
    -- {{ g }}: kept requests by label status
    select
        '{{ g }}',
        {{ d.windowStart(g, 'predicted_at') }},
        model_version,
        0,
        0,
        0,
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
{{ quality.label_delay_percentiles("case when label_status = 'observed' then label_delay_hours end", d.windowStart(g, 'predicted_at')) }}
    group by 1, 2, 3
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
),

per_window as (
    select
        granularity,
        window_start,
        model_version,
        sum(prediction_events) as prediction_events,
        sum(duplicates_removed) as duplicates_removed,
        sum(duplicate_items) as duplicate_items,
        sum(observed) as observed,
        sum(pending) as pending,
        sum(missing) as missing,
        max(label_delay_p50) as label_delay_p50,
        max(label_delay_p90) as label_delay_p90
    from counts
    group by 1, 2, 3
),

orphans as (
{% for g in m.granularities %}
    select '{{ g }}' as granularity, {{ d.windowStart(g, 'observed_at') }} as window_start, 1 as orphan
    from {{ rel('outcome_matches') }}
    where interaction_class = 'orphan'
    union all
    select distinct '{{ g }}', {{ d.windowStart(g, 'predicted_at') }}, 0
    from copies
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
)

{{ quality.per_window_rows(quality.request_window_metrics) -}}
select
    granularity, window_start, cast(null as {{ d.types.text }}),
    cast(null as {{ d.types.text }}), cast(null as {{ d.types.text }}),
    'outcomes_orphan', cast(null as {{ d.types.text }}),
    {{ d.toDouble('sum(orphan)') }}, cast(sum(orphan) as {{ d.types.bigint }})
from orphans
group by granularity, window_start

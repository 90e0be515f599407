{% import "macros/data_quality.sql" as quality with context %}
{% import "macros/metric_rows.sql" as output with context %}
{% import "macros/sources.sql" as src with context %}
{% import "macros/windows.sql" as windows with context %}
-- Data-quality rows of monitor {{ m.name }} (docs/semantics.md §5e): copies of request lists read and
-- removed, items listed twice, requests by label status, how long until the first counting
-- interaction, and the interactions that count for no request. One row per metric, like the metrics.
-- Items listed twice are counted without a distinct count per request: a window's kept lists have
-- as many rows as distinct items (their list_length in the evaluations) plus the rows listing an
-- item again, so the copies' rows are added and the list lengths subtracted, each by the request's
-- window and version. (Counting distinct items per request took two thirds of this step's operator
-- CPU at 1M on DuckDB: docs/performance.md.)
with copies as (
    select {{ src.key_list() }}, copy_rank, predicted_at, model_version, count(*) as list_rows
    from {{ rel('prediction_events') }}
    group by {{ src.key_list() }}, copy_rank, predicted_at, model_version
),

counts as (
    -- copies, counted per day and model version and added up into each granularity's windows
    -- (macros/windows.sql)
{% call windows.from_days(['days.model_version', 'days.prediction_events', 'days.duplicates_removed', 'days.duplicate_items', '0 as observed', '0 as pending', '0 as missing'].concat(quality.no_label_delays)) %}
        select
            {{ d.windowStart('day', 'predicted_at') }} as day_start,
            model_version,
            count(*) as prediction_events,
            sum(case when copy_rank > 1 then 1 else 0 end) as duplicates_removed,
            sum(case when copy_rank = 1 then list_rows else 0 end) as duplicate_items
        from copies
        group by 1, 2
{% endcall %}
{% for g in m.granularities %}
    union all
    -- {{ g }}: label delays' percentiles, which do not add up, and label statuses and the lists' distinct
    -- items (subtracted), counted in the same scan
    select
        '{{ g }}',
        {{ d.windowStart(g, 'predicted_at') }},
        model_version,
        0,
        0,
        -sum(list_length),
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
{{ quality.label_delay_percentiles("case when label_status = 'observed' then label_delay_hours end", d.windowStart(g, 'predicted_at')) }}
    group by 1, 2, 3
{% endfor %}
),

per_window as (
    select
        granularity,
        window_start,
        model_version,
{{ quality.per_window_columns(quality.request_window_metrics) }}
    from counts
    group by 1, 2, 3
),

empty_windows as (
{{ quality.empty_windows() }}
),

orphans as (
{{ quality.orphans('interaction_class') }}
)

{{ quality.per_window_rows(quality.request_window_metrics) -}}
{{ output.metric_rows([['outcomes_orphan', 'sum(orphan)', 'sum(orphan)']], 'orphans', keys=quality.orphan_keys, group_by='granularity, window_start') -}}
{{ quality.empty_window_rows() -}}

{% import "macros/data_quality.sql" as quality with context %}
{% import "macros/metric_rows.sql" as output with context %}
{% import "macros/sources.sql" as src with context %}
{% import "macros/windows.sql" as windows with context %}
{% set f = m.forecast %}
-- Data-quality rows of forecast monitor {{ m.name }} (docs/semantics.md §5d): forecast rows read and
-- removed as duplicates, how many actuals arrived{{ ' and how late' if f.actualLoggedAt }}, and which actuals no forecast has.
-- Windows are by target_time, like the metrics.
with counts as (
    -- forecast rows, counted per day of their target time and model version and added up into each
    -- granularity's windows (macros/windows.sql)
{% call windows.from_days(['days.model_version', 'days.prediction_events', 'days.duplicates_removed', '0 as observed', '0 as pending', '0 as missing', '0 as outcomes_late', '0 as outcomes_early'].concat(quality.no_label_delays)) %}
        select
            {{ d.windowStart('day', 'target_time') }} as day_start,
            model_version,
            count(*) as prediction_events,
            sum(case when duplicate_rank > 1 then 1 else 0 end) as duplicates_removed
        from {{ rel('prediction_events') }}
        group by 1, 2
{% endcall %}
{% for g in m.granularities %}
    union all
    -- {{ g }}: kept forecasts by label status{{ ', and actuals logged after the window closed or before the forecast' if f.actualLoggedAt }}
    select
        '{{ g }}',
        {{ d.windowStart(g, 'target_time') }},
        model_version,
        0,
        0,
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
{% if f.actualLoggedAt %}
        sum(case when observed_at > {{ d.addSeconds('target_time', m.within.seconds) }} then 1 else 0 end),
        sum(case when observed_at < forecast_time then 1 else 0 end),
{% else %}
        0,
        0,
{% endif %}
{{ quality.label_delay_percentiles('label_delay_hours', d.windowStart(g, 'target_time')) }}
    group by 1, 2, 3
{% endfor %}
),

per_window as (
    select
        granularity,
        window_start,
        model_version,
{{ quality.per_window_columns(quality.outcome_window_metrics) }}
    from counts
    group by 1, 2, 3
),

-- actuals (one per series and time) that no kept forecast has
orphan_actuals as (
    select actuals.actual_time
    from {{ rel('outcome_events') }} as actuals
    left join (
        select distinct {{ src.key_list() }}, target_time
        from {{ rel('evaluations') }}
    ) as kept
        on {{ src.key_match('kept', 'actuals') }}
        and kept.target_time = actuals.actual_time
    where actuals.actual_rank = 1
        and kept.target_time is null
{% if run.incremental %}
        and actuals.actual_time >= {{ run.evaluate_from }}
{% endif %}
),

-- counted in the windows that have a forecast row: the history before the first forecast is expected
orphans as (
    select granularity, window_start, sum(orphan) as orphan_count
    from (
        -- orphan actuals per day, added up into each granularity's windows (macros/windows.sql)
{% call windows.from_days(['days.orphans as orphan', '0 as forecast_window'], '        ') %}
            select {{ d.windowStart('day', 'actual_time') }} as day_start, count(*) as orphans
            from orphan_actuals
            group by 1
{% endcall %}
        union all
        select granularity, window_start, 0, 1
        from (
{{ quality.prediction_windows() }}
        ) as forecast_windows
    ) as marks
    group by granularity, window_start
    having max(forecast_window) = 1
)

{{ quality.per_window_rows(quality.outcome_window_metrics) -}}
{{ output.metric_rows([['outcomes_orphan', 'orphan_count', 'orphan_count']], 'orphans', keys=quality.orphan_keys) -}}

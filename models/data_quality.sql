{% import "macros/data_quality.sql" as quality with context %}
{% import "macros/incremental.sql" as incremental %}
{% import "macros/metric_rows.sql" as output with context %}
{% import "macros/windows.sql" as windows with context %}
-- Data-quality rows of monitor {{ m.name }}: what was read, what was dropped as a duplicate, how many
-- labels arrived, how late, and which outcomes matched nothing. One row per metric, like the metrics.
with counts as (
    -- prediction events, and outcomes that matched a prediction but fell outside its window, counted
    -- per day and model version and added up into each granularity's windows (macros/windows.sql)
{% call windows.from_days(['days.model_version', 'days.prediction_events', 'days.duplicates_removed', '0 as observed', '0 as pending', '0 as missing', 'days.outcomes_late', 'days.outcomes_early'].concat(quality.no_label_delays)) %}
        select
            {{ d.windowStart('day', 'predicted_at') }} as day_start,
            model_version,
            count(*) as prediction_events,
            sum(case when duplicate_rank > 1 then 1 else 0 end) as duplicates_removed,
            0 as outcomes_late,
            0 as outcomes_early
        from {{ rel('prediction_events') }}
        group by 1, 2
        union all
        select
            {{ d.windowStart('day', 'predicted_at') }},
            model_version,
            0,
            0,
            sum(case when outcome_class = 'late' then 1 else 0 end),
            sum(case when outcome_class = 'early' then 1 else 0 end)
        from {{ rel('outcome_matches') }}
        where outcome_class in ('late', 'early')
        group by 1, 2
{% if run.reads_stored_days %}
        union all
        -- days before this run's range in windows it recomputes, as stored; outcome_matches.sql kept
        -- their late outcomes new since the previous run, which the rows above count
{{ quality.stored_days(['prediction_events', 'duplicates_removed', 'outcomes_late', 'outcomes_early']) }}
{%- endif %}
{% endcall %}
{% for g in m.granularities %}
    union all
    -- {{ g }}: label delays' percentiles, which do not add up, and label statuses (counted in the same scan)
    select
        '{{ g }}',
        {{ d.windowStart(g, 'predicted_at') }},
        model_version,
        0,
        0,
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
        0,
        0,
{{ quality.label_delay_percentiles('label_delay_hours', d.windowStart(g, 'predicted_at')) }}
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
    -- outcomes can match predictions of windows with no event left in this run's range
    having sum({{ 'counts.' if d.capabilities.havingSeesAliases }}prediction_events) > 0
{% if run.incremental %}
        -- and an incremental run's range starts at its earliest granularity's window: the others'
        -- windows before their own recompute_from are partly in it, and keep their stored rows
        and {{ incremental.recomputed(run, indent='        ') }}
{% endif %}
),

empty_windows as (
{{ quality.empty_windows() }}
),

orphans as (
{{ quality.orphans('outcome_class') }}
){% if run.adds_late_outcomes %},

-- late outcomes new since the previous run, counted per day of their prediction and added up into
-- each granularity's windows
late_windows as (
{% call windows.from_days(['days.model_version', 'days.late_outcomes']) %}
        select {{ d.windowStart('day', 'predicted_at') }} as day_start, model_version, count(*) as late_outcomes
        from {{ rel('outcome_matches') }}
        where outcome_class = 'late'
            and observed_at > {{ run.previous_as_of }}
        group by 1, 2
{% endcall %}
){% endif %}

{{ quality.per_window_rows(quality.outcome_window_metrics) -}}
{{ output.metric_rows([['outcomes_orphan', 'sum(orphan)', 'sum(orphan)']], 'orphans', keys=quality.orphan_keys, where=incremental.recomputed(run) if run.incremental, group_by='granularity, window_start') -}}
{{ quality.empty_window_rows() -}}
{% if run.adds_late_outcomes %}
union all
-- Windows this run does not recompute changed only by late outcomes new since the previous run (as
-- of {{ run.previous_as_of }}; plan.sql): their counts, which the write step adds to the stored
-- outcomes_late rows. outcome_matches.sql keeps them for predictions kept before the range too.
{{ output.metric_rows([['outcomes_late', 'sum(late_outcomes)', 'sum(late_outcomes)']], 'late_windows', keys=quality.window_keys, where='not ' + incremental.recomputed(run), group_by='granularity, window_start, model_version') -}}
{% endif %}

{% import "macros/data_quality.sql" as quality with context %}
{% import "macros/incremental.sql" as incremental %}
-- Data-quality rows of monitor {{ m.name }}: what was read, what was dropped as a duplicate, how many
-- labels arrived, how late, and which outcomes matched nothing. One row per metric, like the metrics.
with counts as (
{% for g in m.granularities %}
    -- {{ g }}: prediction events by their own window
    select
        '{{ g }}' as granularity,
        {{ d.windowStart(g, 'predicted_at') }} as window_start,
        model_version,
        count(*) as prediction_events,
        sum(case when duplicate_rank > 1 then 1 else 0 end) as duplicates_removed,
        0 as observed, 0 as pending, 0 as missing, 0 as outcomes_late, 0 as outcomes_early,
        cast(null as {{ d.types.double }}) as label_delay_p50,
        cast(null as {{ d.types.double }}) as label_delay_p90
    from {{ rel('prediction_events') }}
    group by 1, 2, 3
    union all
    -- {{ g }}: kept predictions by label status
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
    union all
    -- {{ g }}: outcomes that matched a prediction but fell outside its window
    select
        '{{ g }}',
        {{ d.windowStart(g, 'predicted_at') }},
        model_version,
        0, 0, 0, 0, 0,
        sum(case when outcome_class = 'late' then 1 else 0 end),
        sum(case when outcome_class = 'early' then 1 else 0 end),
        cast(null as {{ d.types.double }}),
        cast(null as {{ d.types.double }})
    from {{ rel('outcome_matches') }}
    where outcome_class in ('late', 'early')
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
        sum(observed) as observed,
        sum(pending) as pending,
        sum(missing) as missing,
        sum(outcomes_late) as outcomes_late,
        sum(outcomes_early) as outcomes_early,
        max(label_delay_p50) as label_delay_p50,
        max(label_delay_p90) as label_delay_p90
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

orphans as (
{% for g in m.granularities %}
    select '{{ g }}' as granularity, {{ d.windowStart(g, 'observed_at') }} as window_start, 1 as orphan
    from {{ rel('outcome_matches') }}
    where outcome_class = 'orphan'
    union all
{% endfor %}
{{ quality.prediction_windows() }}
)

{{ quality.per_window_rows(quality.outcome_window_metrics) -}}
select
    granularity, window_start, cast(null as {{ d.types.text }}),
    cast(null as {{ d.types.text }}), cast(null as {{ d.types.text }}),
    'outcomes_orphan', cast(null as {{ d.types.text }}),
    {{ d.toDouble('sum(orphan)') }}, cast(sum(orphan) as {{ d.types.bigint }})
from orphans
{% if run.incremental %}
where {{ incremental.recomputed(run) }}
{% endif %}
group by granularity, window_start
{% if run.adds_late_outcomes %}
union all
-- Windows this run does not recompute changed only by late outcomes new since the previous run (as
-- of {{ run.previous_as_of }}; plan.sql): their counts, which the write step adds to the stored
-- outcomes_late rows. outcome_matches.sql keeps them for predictions kept before the range too.
select
    granularity, window_start, model_version,
    cast(null as {{ d.types.text }}), cast(null as {{ d.types.text }}),
    'outcomes_late', cast(null as {{ d.types.text }}),
    {{ d.toDouble('count(*)') }}, cast(count(*) as {{ d.types.bigint }})
from (
{% for g in m.granularities %}
    select '{{ g }}' as granularity, {{ d.windowStart(g, 'predicted_at') }} as window_start, model_version
    from {{ rel('outcome_matches') }}
    where outcome_class = 'late'
        and observed_at > {{ run.previous_as_of }}
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
) as late_outcomes
where not {{ incremental.recomputed(run) }}
group by granularity, window_start, model_version
{% endif %}

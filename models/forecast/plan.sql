{% import "macros/sources.sql" as src with context %}
{% set f = m.forecast %}
-- Incremental planning for forecast monitor {{ m.name }} (docs/semantics.md §5d): the earliest period
-- that rows written after the previous run (as of {{ run.previous_as_of }}) can have changed. NULL
-- when nothing points back; the runner adds the previous as-of minus {{ m.within.text }}.
select
    min(affected_at) as affected_from,
    -- the time of the stored MASE history's checkpoint: the run starts from it only if it is the
    -- previous run's (src/compiler/incremental-range.ts, rangeFromPlan)
    (select max(checkpoint_at) from {{ tables.mase_history }}) as history_at
from (
    -- new forecast rows (by {{ arrival.predictions }}): the period they are for
    select {{ d.toTimestamp(d.quote(f.targetTime.column)) }} as affected_at
    from {{ src.source(m.predictions, 2) }}
    where {{ source_time(arrival.predictions, '>', 'previous_as_of') }}
        and {{ source_time(arrival.predictions, '<=', 'as_of') }}
{% if m.predictions.where %}
        and {{ src.predictions_where('        ') }}
{% endif %}
    union all
    -- new actuals (by {{ arrival.outcomes }}): their period, and MASE's history of every later window
    select {{ d.toTimestamp(d.quote(m.outcomes.timestamp)) }}
    from {{ src.source(m.outcomes, 2) }}
    where {{ source_time(arrival.outcomes, '>', 'previous_as_of') }}
        and {{ source_time(arrival.outcomes, '<=', 'as_of') }}
    union all
    -- the evaluations table is read so that a run without it (or without MASE's stored history,
    -- read above) starts from scratch
    select target_time
    from {{ tables.evaluations }}
    where 1 = 0
) as affected

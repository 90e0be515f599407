{% import "macros/sources.sql" as src with context %}
{#-
  Incremental runs: which windows a run recomputes (run.recompute_from, src/compiler/incremental-range.ts
  incrementalRange). Rows of earlier windows stay as stored, but for the late-outcome counts the
  write step adds to them (docs/semantics.md §7).
-#}
{#-
  Whether a row's window is one this incremental run recomputes: per granularity, the windows from
  run.recompute_from on. `prefix` qualifies the granularity and window_start columns; `indent` is the
  indentation of the line the condition starts on.
-#}
{% macro recomputed(run, prefix='', indent='') -%}
({% for g, start in run.recompute_from %}{{ '\n' + indent }}    ({{ prefix }}granularity = '{{ g }}' and {{ prefix }}window_start >= {{ start }}){{ ' or' if not loop.last }}{% endfor %}{{ '\n' + indent }})
{%- endmacro %}

{#-
  In an incremental run, `and <column> >= ` the first recomputed window of granularity g: the
  session's evaluations start at the earliest granularity's window, so they hold some rows of earlier
  windows of the other granularities (a week's days before the first recomputed day, say), which keep
  their stored metrics. Nothing in a full refresh.
-#}
{% macro since(run, g, column) -%}
{% if run.incremental %}
        and {{ column }} >= {{ run.recompute_from[g] }}{% endif %}
{%- endmacro %}

{#-
  The kept predictions (with their time) whose key has a prediction event newer than the previous
  run, which replaces them under `dedupe: latest`: a query for a CTE, indented for one. The plans of
  every problem type but forecasts start from it (models/plan.sql, models/recommendation/plan.sql).
  `since`, a literal no later than the earliest of them, lets the scan of the evaluations skip
  older rows.
-#}
{% macro replaced_predictions(since=none) %}
    select {{ src.key_list('kept.') }}, kept.predicted_at
    from {{ tables.evaluations }} as kept
    inner join (
        select distinct {{ src.key_list() }}
        from {{ src.source(m.predictions, 2) }}
        where {{ source_time(m.predictions.timestamp, '>', 'previous_as_of') }}
            and {{ source_time(m.predictions.timestamp, '<=', 'as_of') }}
{% if m.predictions.where %}
            and {{ src.predictions_where('            ') }}
{% endif %}
    ) as new_events
        on {{ src.key_match('kept', 'new_events') }}
{%- if since %}

    where kept.predicted_at >= {{ since }}
{%- endif %}
{%- endmacro %}

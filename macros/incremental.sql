{#-
  Incremental runs: which windows a run recomputes (run.recompute_from, src/compiler/compile.ts
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

{#-
  Every granularity's windows from days. Day windows nest in weeks and months, so anything counted
  per day adds up to any granularity's window: a step counts its rows once per day and maps each day
  to the window of each granularity, where a count per granularity would scan the rows once per
  granularity (docs/performance.md). Used by the data-quality steps and by segment_ranks()
  (macros/slices.sql), which ranks segment values by counts added up this way. Percentiles do not
  add up, and stay per granularity.
-#}

{#-
  Each granularity's windows from the day rows of the query in the caller's block, which has a
  `day_start` column: `select granularity, window_start, <columns>`, where columns read the day rows
  as days.<column>. `indent` is the select's; the query is indented for a subquery of it. Call it on a
  line of its own; its output ends with a newline.
-#}
{% macro from_days(columns, indent='    ') -%}
{{ indent }}select
{{ indent }}    granularities.granularity,
{{ indent }}    {{ window_of_day('days.day_start') }} as window_start,
{{ indent }}    {{ columns | join(',\n' + indent + '    ') }}
{{ indent }}from (
{{ caller() }}{{ indent }}) as days
{{ indent }}cross join (
{{ granularities(indent + '    ') }}
{{ indent }}) as granularities{{ '\n' }}
{%- endmacro %}

{#- Helpers of from_days. The monitor's granularities, one row each, as a query. -#}
{% macro granularities(indent='') -%}
{% for g in m.granularities %}{{ indent }}select '{{ g }}' as granularity{{ ' union all\n' if not loop.last }}{% endfor %}
{%- endmacro %}

{#- The start of the window of granularity `granularity` (a column) that holds the day starting at `day_start`. -#}
{% macro window_of_day(day_start, granularity='granularities.granularity') -%}
case {{ granularity }}{% for g in m.granularities %} when '{{ g }}' then {{ d.windowStart(g, day_start) }}{% endfor %} end
{%- endmacro %}

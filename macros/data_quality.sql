{% import "macros/windows.sql" as windows with context %}
{% import "macros/metric_rows.sql" as output with context %}
{% import "macros/percentiles.sql" as percentiles with context %}
{#-
  Data-quality rows, shared by every problem type: `per_window` has one row per granularity, window
  and model version with a column per count; this writes each named metric as a metric row.
  Counts are their own sample size; label_coverage and the label delays are about the observed
  (and missing) predictions.
-#}
{#-
  The per-window metrics each data-quality step writes, besides outcomes_orphan: recommendations'
  (models/recommendation/), everyone else's (models/data_quality.sql, models/forecast/).
-#}
{% set outcome_window_metrics = ['prediction_events', 'duplicates_removed', 'observed', 'pending', 'missing', 'label_coverage', 'outcomes_late', 'outcomes_early', 'label_delay_p50', 'label_delay_p90'] %}
{% set request_window_metrics = ['prediction_events', 'duplicates_removed', 'duplicate_items', 'observed', 'pending', 'missing', 'label_coverage', 'label_delay_p50', 'label_delay_p90'] %}
{#- The label-delay columns of a counts row that has none (the percentiles come from their own rows). -#}
{% set no_label_delays = ['cast(null as ' + d.types.double + ') as label_delay_p50', 'cast(null as ' + d.types.double + ') as label_delay_p90'] %}

{#- The keys of a data-quality row: every one is of a window and model version (none for orphans), overall. -#}
{% set overall = 'cast(null as ' + d.types.text + ') as segment, cast(null as ' + d.types.text + ') as segment_value' %}
{% set window_keys = 'granularity, window_start, model_version, ' + overall %}
{% set orphan_keys = 'granularity, window_start, cast(null as ' + d.types.text + ') as model_version, ' + overall %}

{#- The prediction_events rows of 0 of the empty windows (empty_windows), after the other rows. -#}
{% macro empty_window_rows() %}
union all
{{ output.metric_rows([['prediction_events', '0', '0']], 'empty_windows', keys=orphan_keys) -}}
{%- endmacro %}

{#-
  per_window's columns after its keys: each count of `metrics` summed over the step's counts rows of
  the window and model version, and the label-delay percentiles, which a row of their own holds.
-#}
{% macro per_window_columns(metrics) %}
{% for metric in metrics %}
{% if metric != 'label_coverage' %}
        {{ 'max' if metric in ['label_delay_p50', 'label_delay_p90'] else 'sum' }}({{ metric }}) as {{ metric }}{{ ',\n' if not loop.last }}
{%- endif %}
{% endfor %}
{%- endmacro %}

{% macro per_window_rows(metrics) %}
{% set derived = {
    'label_coverage': [d.divide('observed', 'observed + missing'), 'observed + missing'],
    'label_delay_p50': ['label_delay_p50', 'observed'],
    'label_delay_p90': ['label_delay_p90', 'observed']
} %}
{% set rows = [] %}
{% for metric in metrics %}
{% set _ = rows.push([metric].concat(derived[metric] or [metric, metric])) %}
{% endfor %}
{{ output.metric_rows(rows, 'per_window', keys=window_keys, union_after=true) -}}
{%- endmacro %}

{#-
  The label-delay percentiles of a kept-prediction row's window and model version, and the FROM of
  the evaluations they are read from (macros/percentiles.sql). `delay` is the delay expression,
  `window_start` the window of the granularity at hand.
-#}
{% macro label_delay_percentiles(delay, window_start) %}
{{ percentiles.percentiles_from(delay, [0.5, 0.9], ['label_delay_p50', 'label_delay_p90'], window_start + ', model_version', rel('evaluations'), 'evaluations') }}
{%- endmacro %}

{#-
  The windows with prediction events in this run's range, each once, with 0 orphans: so that a
  window with none gets its outcomes_orphan row. Read from per_window, the step's own counts, which
  has a row per window and version with its prediction_events; each granularity used to scan the
  prediction events again for its distinct windows (docs/performance.md).
-#}
{% macro prediction_windows() %}
    select distinct granularity, window_start, 0 as orphan
    from per_window
    where prediction_events > 0
{%- endmacro %}

{#-
  The windows without a prediction event, per granularity, from the monitor's first window with one
  to the last that starts before the as-of, as `granularity, window_start`: the body of the
  `empty_windows` CTE, which follows `per_window`. Each gets a prediction_events row of 0 (model
  version NULL) and an outcomes_orphan row, so that a gap in the predictions (logging broken, a model
  taken down) is a zero a dashboard plots and an alert fires on, not a missing point. An incremental
  run gives those it recomputes; the monitor's first window is then also among its stored rows.
-#}
{% macro empty_windows() %}
{% for g in m.granularities %}
    select '{{ g }}' as granularity, spine.window_start
    from {{ d.windowSeries(g, first_window(g), run.as_of) }} as spine
    where spine.window_start < {{ run.as_of }}
{% if run.incremental %}
        and spine.window_start >= {{ run.recompute_from[g] }}
{% endif %}
        and spine.window_start not in (select window_start from per_window where granularity = '{{ g }}' and prediction_events > 0)
{%- if not loop.last %}

    union all
{% endif %}
{% endfor %}
{%- endmacro %}

{#-
  The first window of granularity g with a prediction event, as a scalar subquery (NULL: none); in an
  incremental run, the window before its recomputed ones when that is stored with a prediction_events
  row: every window from the first to the last run's as-of has one (0 when empty), so the first is no
  later, and the series starts there (one window, not the whole stored history, is read).
-#}
{% macro first_window(g) -%}
{% set of_run = "(select min(window_start) from per_window where granularity = '" + g + "' and prediction_events > 0)" %}
{%- if run.incremental -%}
(select case when exists (select 1 from {{ tables.metrics }} where monitor = {{ d.string(m.name) }} and granularity = '{{ g }}' and window_start = {{ run.window_before_recompute[g] }} and metric = 'prediction_events' and segment is null) then {{ run.window_before_recompute[g] }} else {{ of_run }} end)
{%- else -%}
{{ of_run }}
{%- endif %}
{%- endmacro %}

{#-
  The days from run.windows_from to run.evaluate_from (the first days of a week or month this
  incremental run recomputes, before its range) as their day windows' stored data-quality rows, one
  row per day (and model version, with `by_version`): `day_start` then, per name in `metrics`, its
  count as a column of that name. A query for the block of windows.from_days. No new data can change
  those counts but for late outcomes, which the caller counts apart (docs/semantics.md §7).
-#}
{% macro stored_days(metrics, by_version=true) %}
        select
            window_start as day_start,
{% if by_version %}
            model_version,
{% endif %}
{% for metric in metrics %}
            sum(case when metric = '{{ metric }}' then sample_size else 0 end) as {{ metric }}{{ ',' if not loop.last }}
{% endfor %}
        from {{ tables.metrics }}
        where monitor = {{ d.string(m.name) }}
            and granularity = 'day'
            and window_start >= {{ run.windows_from }}
            and window_start < {{ run.evaluate_from }}
            and segment is null
            and metric in ({% for metric in metrics %}'{{ metric }}'{{ ', ' if not loop.last }}{% endfor %})
        group by window_start{{ ', model_version' if by_version }}
{% endmacro %}

{#-
  The body of the `orphans` CTE: outcome rows classed 'orphan' (in `class_column` of outcome_matches)
  counted per day of their observation and added up into each granularity's windows, and every
  window with prediction events, or empty (empty_windows), at 0, so that it gets its outcomes_orphan row.
-#}
{% macro orphans(class_column) %}
    -- counted per day of their observation, and added up into each granularity's windows
{% call windows.from_days(['days.orphans as orphan']) %}
        select {{ d.windowStart('day', 'observed_at') }} as day_start, count(*) as orphans
        from {{ rel('outcome_matches') }}
        where {{ class_column }} = 'orphan'
{% if run.reads_stored_days %}
            -- earlier ones (an outcome more than {{ m.within.text }} before its key's prediction) are in stored rows: the days below, or windows not recomputed
            and observed_at >= {{ run.evaluate_from }}
{% endif %}
        group by 1
{% if run.reads_stored_days %}
        union all
        -- the days before {{ run.evaluate_from }} in windows this run recomputes, as stored
{{ stored_days(['outcomes_orphan'], false) }}
{%- endif %}
{% endcall %}
    union all
{{ prediction_windows() }}
    union all
    select granularity, window_start, 0 from empty_windows
{%- endmacro %}

{#-
  Regression metrics: where each metric is defined.
  `summary` has one row per group (granularity, window, version, segment, value) and output, with
  these aggregates over the evaluated rows (e = prediction - label):
    n, sum_prediction, sum_label, sum_error, sum_abs_error, sum_sq_error   counts and exact sums
    ss_label, ss_error        sums of squared deviations of the label and of e from their means
    label_min, label_max      to tell constant labels
    n_nonzero, sum_ape        rows with label <> 0 and their sum of |e| / |label| (MAPE)
    sum_sape, sum_abs_label   sum of 2|e| / (|prediction| + |label|) (0 when both are 0); sum of |label|
    max_abs_error, abs_error_p50, abs_error_p90, abs_error_p99   exact order statistics of |e|
  `metrics`: [metric name, value expression, sample size expression] in the order they are written.
-#}
{% set constant = 'label_min = label_max' %}
{% set metrics = [
    ['count', 'n', 'n'],
    ['mean_prediction', d.divide('sum_prediction', 'n'), 'n'],
    ['mean_label', d.divide('sum_label', 'n'), 'n'],
    ['mean_error', d.divide('sum_error', 'n'), 'n'],
    ['mae', d.divide('sum_abs_error', 'n'), 'n'],
    ['mse', d.divide('sum_sq_error', 'n'), 'n'],
    ['rmse', 'sqrt(' + d.divide('sum_sq_error', 'n') + ')', 'n'],
    ['r2', 'case when not (' + constant + ') then 1 - ' + d.divide('sum_sq_error', 'ss_label') + ' end', 'n'],
    ['explained_variance', 'case when not (' + constant + ') then 1 - ' + d.divide('ss_error', 'ss_label') + ' end', 'n'],
    ['mape', d.divide('sum_ape', 'n_nonzero'), 'n_nonzero'],
    ['smape', d.divide('sum_sape', 'n'), 'n'],
    ['wape', d.divide('sum_abs_error', 'sum_abs_label'), 'n'],
    ['median_absolute_error', 'abs_error_p50', 'n'],
    ['max_error', 'max_abs_error', 'n'],
    ['abs_error_p90', 'abs_error_p90', 'n'],
    ['abs_error_p99', 'abs_error_p99', 'n']
] %}

{#-
  Counts and exact sums of the errors of point predictions p against actual values a, that need no
  group mean or order, so that cells of rows add up to any slice of them exactly. Shared by the
  regression and forecast metric steps; `actual` names the actual's columns (sum_label, sum_abs_label
  for regression; sum_actual, sum_abs_actual for forecasts).
-#}
{% macro error_sums(p, a, actual='label') %}
        count(*) as n,
        {{ d.exactSum(p) }} as sum_prediction,
        {{ d.exactSum(a) }} as sum_{{ actual }},
        {{ d.exactSum(p + ' - ' + a) }} as sum_error,
        {{ d.exactSum('abs(' + p + ' - ' + a + ')') }} as sum_abs_error,
        {{ d.exactSum('(' + p + ' - ' + a + ') * (' + p + ' - ' + a + ')') }} as sum_sq_error,
        sum(case when {{ a }} <> 0 then 1 else 0 end) as n_nonzero,
        {{ d.exactSum('case when ' + a + ' <> 0 then abs(' + p + ' - ' + a + ') / abs(' + a + ') end') }} as sum_ape,
        {{ d.exactSum('case when abs(' + p + ') + abs(' + a + ') = 0 then 0 else 2 * abs(' + p + ' - ' + a + ') / (abs(' + p + ') + abs(' + a + ')) end') }} as sum_sape,
        {{ d.exactSum('abs(' + a + ')') }} as sum_abs_{{ actual }}
{%- endmacro %}

{#- The columns of error_sums(). -#}
{% macro error_sum_columns(actual='label') -%}
n,sum_prediction,sum_{{ actual }},sum_error,sum_abs_error,sum_sq_error,n_nonzero,sum_ape,sum_sape,sum_abs_{{ actual }}
{%- endmacro %}

{#-
  The sums of a cell of rows (prediction p, label l): error_sums() and the label's minimum and
  maximum and the largest |error|, which add up too (row_sums_added). The rest of `summary` needs
  each slice's own rows: the squared deviations from the slice's means and the order statistics.
-#}
{% macro row_sums(p, l) %}
{{ error_sums(p, l) }},
        min({{ l }}) as label_min,
        max({{ l }}) as label_max,
        max(abs({{ p }} - {{ l }})) as max_abs_error
{%- endmacro %}

{% set row_sum_columns = error_sum_columns().split(',').concat(['label_min', 'label_max', 'max_abs_error']) %}

{#- row_sums() of several cells added up; counts stay bigints, as count(*) over the rows would be. -#}
{% macro row_sums_added() %}
        cast(sum(n) as {{ d.types.bigint }}) as n,
        sum(sum_prediction) as sum_prediction,
        sum(sum_label) as sum_label,
        sum(sum_error) as sum_error,
        sum(sum_abs_error) as sum_abs_error,
        sum(sum_sq_error) as sum_sq_error,
        min(label_min) as label_min,
        max(label_max) as label_max,
        cast(sum(n_nonzero) as {{ d.types.bigint }}) as n_nonzero,
        sum(sum_ape) as sum_ape,
        sum(sum_sape) as sum_sape,
        sum(sum_abs_label) as sum_abs_label,
        max(max_abs_error) as max_abs_error
{%- endmacro %}

{#- The columns `summary` takes from the slice's own rows. -#}
{% set spread_columns = ['ss_label', 'ss_error', 'abs_error_p50', 'abs_error_p90', 'abs_error_p99'] %}

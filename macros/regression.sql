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
  The sums of each row's values that need no group mean or order, for a cell of rows (prediction p,
  label l): exact sums (d.exactSum) and counts, minima and maxima, so that cells add up to any slice
  of them exactly (row_sums_added). The rest of `summary` needs each slice's own rows: the squared
  deviations from the slice's means and the order statistics.
-#}
{% macro row_sums(p, l) %}
        count(*) as n,
        {{ d.exactSum(p) }} as sum_prediction,
        {{ d.exactSum(l) }} as sum_label,
        {{ d.exactSum(p + ' - ' + l) }} as sum_error,
        {{ d.exactSum('abs(' + p + ' - ' + l + ')') }} as sum_abs_error,
        {{ d.exactSum('(' + p + ' - ' + l + ') * (' + p + ' - ' + l + ')') }} as sum_sq_error,
        min({{ l }}) as label_min,
        max({{ l }}) as label_max,
        sum(case when {{ l }} <> 0 then 1 else 0 end) as n_nonzero,
        {{ d.exactSum('case when ' + l + ' <> 0 then abs(' + p + ' - ' + l + ') / abs(' + l + ') end') }} as sum_ape,
        {{ d.exactSum('case when abs(' + p + ') + abs(' + l + ') = 0 then 0 else 2 * abs(' + p + ' - ' + l + ') / (abs(' + p + ') + abs(' + l + ')) end') }} as sum_sape,
        {{ d.exactSum('abs(' + l + ')') }} as sum_abs_label,
        max(abs({{ p }} - {{ l }})) as max_abs_error
{%- endmacro %}

{% set row_sum_columns = ['n', 'sum_prediction', 'sum_label', 'sum_error', 'sum_abs_error', 'sum_sq_error', 'label_min', 'label_max', 'n_nonzero', 'sum_ape', 'sum_sape', 'sum_abs_label', 'max_abs_error'] %}

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

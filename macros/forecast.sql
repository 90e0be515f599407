{#-
  Forecast metrics: where each metric is defined (docs/semantics.md §5d).
  `summary` has one row per group (granularity, window, version, segment, value) with these
  aggregates over the evaluated forecasts (e = prediction - actual):
    n, sum_prediction, sum_actual, sum_error, sum_abs_error, sum_sq_error   count and exact sums
    n_nonzero, sum_ape        rows with actual <> 0 and their sum of |e| / |actual| (MAPE)
    sum_sape, sum_abs_actual  sum of 2|e| / (|prediction| + |actual|) (0 when both are 0); sum of |actual|
    n_scaled, sum_scaled      rows whose series has a MASE scale and their sum of |e| / scale
    n_interval, n_covered, sum_width, sum_interval_score   rows with both bounds, those inside, sums
    n_q<i>, sum_pinball_q<i>  per quantile: rows with a forecast for it and their pinball losses
  `metrics`: [metric name, value expression, sample size expression] in the order they are written.
-#}
{% set f = m.forecast %}
{% set metrics = [
    ['count', 'n', 'n'],
    ['mean_prediction', d.divide('sum_prediction', 'n'), 'n'],
    ['mean_actual', d.divide('sum_actual', 'n'), 'n'],
    ['bias', d.divide('sum_error', 'n'), 'n'],
    ['mae', d.divide('sum_abs_error', 'n'), 'n'],
    ['rmse', 'sqrt(' + d.divide('sum_sq_error', 'n') + ')', 'n'],
    ['mape', d.divide('sum_ape', 'n_nonzero'), 'n_nonzero'],
    ['smape', d.divide('sum_sape', 'n'), 'n'],
    ['wape', d.divide('sum_abs_error', 'sum_abs_actual'), 'n'],
    ['mase', d.divide('sum_scaled', 'n_scaled'), 'n_scaled']
] %}
{% if f.interval %}
{% set _ = metrics.push(
    ['interval_coverage', d.divide('n_covered', 'n_interval'), 'n_interval'],
    ['interval_width', d.divide('sum_width', 'n_interval'), 'n_interval'],
    ['interval_score', d.divide('sum_interval_score', 'n_interval'), 'n_interval']
) %}
{% endif %}

{#- The interval score of one row, α = 1 - level: width plus 2/α times the miss on either side. -#}
{% macro interval_score(lower, upper, actual) -%}
({{ upper }} - {{ lower }}) + case when {{ actual }} < {{ lower }} then 2 / (1 - {{ d.number(f.interval.level) }}) * ({{ lower }} - {{ actual }}) else 0 end + case when {{ actual }} > {{ upper }} then 2 / (1 - {{ d.number(f.interval.level) }}) * ({{ actual }} - {{ upper }}) else 0 end
{%- endmacro %}

{#- The pinball loss of one row at quantile level q: max(q (y - ŷ), (q - 1)(y - ŷ)); NULL without ŷ. -#}
{% macro pinball(level, forecast, actual) -%}
case when {{ actual }} >= {{ forecast }} then {{ d.number(level) }} * ({{ actual }} - {{ forecast }}) else ({{ d.number(level) }} - 1) * ({{ actual }} - {{ forecast }}) end
{%- endmacro %}

{% import "macros/regression.sql" as regression with context %}
{% import "macros/sources.sql" as src with context %}
{#-
  Forecast metrics: where each metric is defined (docs/semantics.md §5d).
  `summary` has one row per group (granularity, window, version, segment, value) with these
  aggregates over the evaluated forecasts (e = prediction - actual), each summed per cell of rows
  (row_sums) and the cells added up to the group (row_sums_added):
    n, sum_prediction, sum_actual, sum_error, sum_abs_error, sum_sq_error   count and exact sums
    n_nonzero, sum_ape        rows with actual <> 0 and their sum of |e| / |actual| (MAPE)
    sum_sape, sum_abs_actual  sum of 2|e| / (|prediction| + |actual|) (0 when both are 0); sum of |actual|
    n_scaled, sum_scaled      rows whose series has a MASE scale and their sum of |e| / scale
    n_interval, n_covered, sum_width, sum_interval_score   rows with both bounds, those inside, sums
    n_q<i>, sum_pinball_q<i>  per quantile: rows with a forecast for it and their pinball losses
  `metrics`: [metric name, value expression, sample size expression] in the order they are written.
-#}
{% set f = m.forecast %}
{#- The forecast columns the metrics read, as models/forecast/forecast_rows.sql passes them on. -#}
{% set quantile_columns = [] %}
{% for q in f.quantiles %}{% set _ = quantile_columns.push(src.name(q.column)) %}{% endfor %}
{% set value_columns = ['prediction', 'actual'] %}
{% if f.interval %}{% set _ = value_columns.push('interval_lower', 'interval_upper') %}{% endif %}
{% set value_columns = value_columns.concat(quantile_columns) %}
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

{#- The interval score of one row, α = 1 - level: width plus 2/α times the miss on either side. 2/α in
    double precision: Snowflake divides exact numbers to 6 decimals (2 / 0.3 = 6.666667). -#}
{% macro interval_score(lower, upper, actual) -%}
{%- set factor = d.toDouble('2') + ' / (1 - ' + d.number(f.interval.level) + ')' -%}
({{ upper }} - {{ lower }}) + case when {{ actual }} < {{ lower }} then {{ factor }} * ({{ lower }} - {{ actual }}) else 0 end + case when {{ actual }} > {{ upper }} then {{ factor }} * ({{ actual }} - {{ upper }}) else 0 end
{%- endmacro %}

{#- The pinball loss of one row at quantile level q: max(q (y - ŷ), (q - 1)(y - ŷ)); NULL without ŷ. -#}
{% macro pinball(level, forecast, actual) -%}
case when {{ actual }} >= {{ forecast }} then {{ d.number(level) }} * ({{ actual }} - {{ forecast }}) else ({{ d.number(level) }} - 1) * ({{ actual }} - {{ forecast }}) end
{%- endmacro %}

{#-
  The sums of a cell of forecast rows with columns prediction, actual and scaled_error (|error| over
  MASE's scale, NULL without one), the interval's bounds and the quantiles' columns (named as
  `quantile_columns`): the point errors' sums shared with regression, then counts and exact sums
  only, so that cells add up to any slice exactly (row_sums_added).
-#}
{% macro row_sums(quantile_columns) %}
{{ regression.error_sums('prediction', 'actual', 'actual') }},
        count(scaled_error) as n_scaled,
        {{ d.exactSum('scaled_error') }} as sum_scaled{{ ',' if f.interval or f.quantiles.length }}
{% if f.interval %}
        sum(case when interval_lower is not null and interval_upper is not null then 1 else 0 end) as n_interval,
        sum(case when interval_lower <= actual and actual <= interval_upper then 1 else 0 end) as n_covered,
        {{ d.exactSum('interval_upper - interval_lower') }} as sum_width,
        {{ d.exactSum(interval_score('interval_lower', 'interval_upper', 'actual')) }} as sum_interval_score{{ ',' if f.quantiles.length }}
{% endif %}
{% for q in f.quantiles %}
        count({{ quantile_columns[loop.index0] }}) as n_q{{ loop.index0 }},
        {{ d.exactSum(pinball(q.level, quantile_columns[loop.index0], 'actual')) }} as sum_pinball_q{{ loop.index0 }}{{ ',' if not loop.last }}
{% endfor %}
{%- endmacro %}

{#- The columns of row_sums(): counts (n, n_*) and exact sums (sum_*). -#}
{% set row_sum_columns = regression.error_sum_columns('actual').split(',').concat(['n_scaled', 'sum_scaled']) %}
{% if f.interval %}{% set _ = row_sum_columns.push('n_interval', 'n_covered', 'sum_width', 'sum_interval_score') %}{% endif %}
{% for q in f.quantiles %}{% set _ = row_sum_columns.push('n_q' + loop.index0, 'sum_pinball_q' + loop.index0) %}{% endfor %}

{#- row_sums() of several cells added up; counts stay bigints, as count(*) over the rows would be. -#}
{% macro row_sums_added() %}
{% for c in row_sum_columns %}
        {{ ('cast(sum(' + c + ') as ' + d.types.bigint + ')') if c.startsWith('n') else ('sum(' + c + ')') }} as {{ c }}{{ ',' if not loop.last }}
{% endfor %}
{%- endmacro %}

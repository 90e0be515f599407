{% import "macros/slices.sql" as slices with context %}
{% import "macros/forecast.sql" as forecast with context %}
{% import "macros/metric_rows.sql" as output with context %}
{% set f = m.forecast %}
{% set quantile_columns = forecast.quantile_columns %}
{% set value_columns = forecast.value_columns %}
-- Forecast metrics of monitor {{ m.name }}, per window (of target_time), model version and slice:
-- overall, per segment and per horizon ({{ f.horizons | join(', ') if f.horizons.length else 'every horizon' }}).
-- Formulas are in macros/forecast.sql. Sums of doubles are exact (d.exactSum), so the values
-- never depend on row order.
-- Every metric is a sum over rows, so nothing reads a slice's rows: each evaluated forecast is
-- counted once per granularity, in a cell of its window, model version, segment values and horizon,
-- and the slices are added up from the cells, keyed by integers until they are named
-- (macros/slices.sql). Summing a copy of every row per slice, grouped by five text columns, took
-- 2.7x this step's CPU at 10M on DuckDB, 1.8x at 1M (docs/performance.md).
with {% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks(rel('forecast_rows')) }}
),

{% endif %}model_versions as (
{{ slices.model_versions() }}
),

{% set cell_columns = [] %}
{% for c in value_columns %}{% set _ = cell_columns.push('evaluated.' + c + ' as ' + c) %}{% endfor %}
{% if f.horizons.length %}
{% set _ = cell_columns.push('case when evaluated.horizon in (' + f.horizons.join(', ') + ') then evaluated.horizon end as horizon') %}
{% else %}
{% set _ = cell_columns.push('evaluated.horizon as horizon') %}
{% endif %}
{% for g in m.granularities %}{% set _ = cell_columns.push('evaluated.hs_scale_' + loop.index0 + ' as hs_scale_' + loop.index0) %}{% endfor %}
cell_rows as (
{{ slices.cell_rows(cell_columns, "evaluated.label_status = 'observed' and evaluated.prediction is not null", false, rel('forecast_rows')) }}
),

-- one cell per window, model version, combination of segment values and horizon (NULL for the
-- horizons without rows of their own); each row's absolute error over its series' scale in the
-- cell's granularity (NULL without enough history)
{% set cell_keys = ['window_start', 'base_key'] %}
{% for s in m.segments %}{% set _ = cell_keys.push('value_' + loop.index) %}{% endfor %}
{% set _ = cell_keys.push('horizon') %}
cells as (
    select
        {{ cell_keys | join(', ') }},
{{ forecast.row_sums(quantile_columns) }}
    from (
        select
            cell_rows.*,
{% if m.granularities.length > 1 %}
            abs(prediction - actual) / case {{ slices.granularity_index('base_key') }}{% for g in m.granularities %} when {{ loop.index0 }} then hs_scale_{{ loop.index0 }}{% endfor %} end as scaled_error
{% else %}
            abs(prediction - actual) / hs_scale_0 as scaled_error
{% endif %}
        from cell_rows
    ) as terms
    group by {{ cell_keys | join(', ') }}
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
{{ slices.keyed_cells('cells', forecast.row_sum_columns) }}
),

-- each group's sums: the slices of macros/slices.sql, then per horizon (never folded)
totals as (
    select
        window_start, slice_key, cast(null as {{ d.types.bigint }}) as horizon,
{{ forecast.row_sums_added() }}
    from keyed_cells
    group by window_start, slice_key
    union all
    select
        window_start, base_key, horizon,
{{ forecast.row_sums_added() }}
    from cells
    where horizon is not null
    group by window_start, base_key, horizon
),

named_groups as (
{{ slices.slice_groups('totals', ['horizon'].concat(forecast.row_sum_columns)) }}
),

summary as (
    select
        granularity,
        window_start,
        model_version,
        case when horizon is null then segment else 'horizon' end as segment,
        case when horizon is null then segment_value else {{ d.toText('horizon') }} end as segment_value,
        {{ forecast.row_sum_columns | join(',\n        ') }}
    from named_groups
)

{{ output.metric_rows(forecast.metrics, 'summary', union_after=f.quantiles.length) -}}
{% for q in f.quantiles %}
{{ output.metric_rows([['pinball_loss', d.divide('sum_pinball_q' + loop.index0, 'n_q' + loop.index0), 'n_q' + loop.index0]], 'summary', qualifier=d.string(q.text), union_after=true) -}}
{% endfor %}
{% if f.quantiles.length %}
{% set present = [] %}
{% set values = [] %}
{% set counts = [] %}
{% for q in f.quantiles %}
{% set _ = values.push('coalesce(' + d.divide('sum_pinball_q' + loop.index0, 'n_q' + loop.index0) + ', 0)') %}
{% set _ = present.push('case when n_q' + loop.index0 + ' > 0 then 1 else 0 end') %}
{% set _ = counts.push('n_q' + loop.index0) %}
{% endfor %}
-- the mean over quantiles of their pinball loss, quantiles without a forecast left out
{{ output.metric_rows([['mean_pinball_loss', '(' + values.join(' + ') + ') / nullif(' + present.join(' + ') + ', 0)', ('greatest(' + counts.join(', ') + ')') if counts.length > 1 else counts[0]]], 'summary') -}}
{% endif %}

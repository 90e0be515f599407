{% import "macros/sources.sql" as src with context %}
{% import "macros/slices.sql" as slices with context %}
{% import "macros/forecast.sql" as forecast with context %}
{% set f = m.forecast %}
{% set series = m.predictions.key %}
{% set group_keys = 'granularity, window_start, model_version, segment, segment_value' %}
{% set columns = [] %}
{% for k in series %}{% set _ = columns.push('hs_series_' + loop.index0) %}{% endfor %}
{% set _ = columns.push('prediction', 'actual') %}
{% if f.interval %}{% set _ = columns.push('interval_lower', 'interval_upper') %}{% endif %}
{% for q in f.quantiles %}{% set _ = columns.push(src.name(q.column)) %}{% endfor %}
{% set evaluated = "evaluated.label_status = 'observed' and evaluated.prediction is not null" %}
-- Forecast metrics of monitor {{ m.name }}, per window (of target_time), model version and slice:
-- overall, per segment and per horizon ({{ f.horizons | join(', ') if f.horizons.length else 'every horizon' }}).
-- Formulas are in macros/forecast.sql. Sums of doubles are exact (d.exactSum), so the values
-- never depend on row order.
with forecast_rows as (
    -- the evaluations as the slicing macros read them: predicted_at places a row in its window,
    -- segments are text, the series columns are carried under fixed names for MASE's scale
    select
        target_time as predicted_at,
        model_version,
        label_status,
        horizon,
{% for k in series %}
        {{ d.quote(k) }} as hs_series_{{ loop.index0 }},
{% endfor %}
{% for s in m.segments %}
        {{ d.toText(d.quote(s.column)) if series.includes(s.column) else d.quote(s.column) }} as {{ d.quote(s.column) }},
{% endfor %}
        {{ columns.slice(series.length) | join(',\n        ') }}
    from {{ rel('evaluations') }}
),

{% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks('forecast_rows') }}
),

{% endif %}sliced as (
{{ slices.sliced_rows(columns, evaluated, 'forecast_rows') }}
    union all
    -- per horizon, never folded
{{ slices.unfolded_slice('horizon', d.toText('evaluated.horizon'), columns, evaluated + (' and evaluated.horizon in (' + f.horizons.join(', ') + ')' if f.horizons.length else ''), 'forecast_rows') }}
),

-- each row's absolute error over its series' scale for the window (NULL without enough history)
scaled as (
    select
        sliced.*,
        prediction - actual as error,
        abs(prediction - actual) as abs_error,
        abs(prediction - actual) / scales.scale as scaled_error
    from sliced
    left join {{ rel('mase_scales') }} as scales
        on scales.granularity = sliced.granularity
        and scales.window_start = sliced.window_start
{% for k in series %}
        and scales.{{ d.quote(k) }} = sliced.hs_series_{{ loop.index0 }}
{% endfor %}
),

summary as (
    select
        {{ group_keys }},
        count(*) as n,
        {{ d.exactSum('prediction') }} as sum_prediction,
        {{ d.exactSum('actual') }} as sum_actual,
        {{ d.exactSum('error') }} as sum_error,
        {{ d.exactSum('abs_error') }} as sum_abs_error,
        {{ d.exactSum('error * error') }} as sum_sq_error,
        sum(case when actual <> 0 then 1 else 0 end) as n_nonzero,
        {{ d.exactSum('case when actual <> 0 then abs_error / abs(actual) end') }} as sum_ape,
        {{ d.exactSum('case when abs(prediction) + abs(actual) = 0 then 0 else 2 * abs_error / (abs(prediction) + abs(actual)) end') }} as sum_sape,
        {{ d.exactSum('abs(actual)') }} as sum_abs_actual,
        count(scaled_error) as n_scaled,
        {{ d.exactSum('scaled_error') }} as sum_scaled{{ ',' if f.interval or f.quantiles.length }}
{% if f.interval %}
        sum(case when interval_lower is not null and interval_upper is not null then 1 else 0 end) as n_interval,
        sum(case when interval_lower <= actual and actual <= interval_upper then 1 else 0 end) as n_covered,
        {{ d.exactSum('interval_upper - interval_lower') }} as sum_width,
        {{ d.exactSum(forecast.interval_score('interval_lower', 'interval_upper', 'actual')) }} as sum_interval_score{{ ',' if f.quantiles.length }}
{% endif %}
{% for q in f.quantiles %}
        count({{ src.name(q.column) }}) as n_q{{ loop.index0 }},
        {{ d.exactSum(forecast.pinball(q.level, src.name(q.column), 'actual')) }} as sum_pinball_q{{ loop.index0 }}{{ ',' if not loop.last }}
{% endfor %}
    from scaled
    group by {{ group_keys }}
)

{% for metric, value, sample_size in forecast.metrics %}
select
    {{ group_keys }},
    '{{ metric }}' as metric,
    cast(null as {{ d.types.text }}) as qualifier,
    {{ d.toDouble(value) }} as value,
    cast({{ sample_size }} as {{ d.types.bigint }}) as sample_size
from summary
{% if not loop.last or f.quantiles.length %}
union all
{% endif %}
{% endfor %}
{% for q in f.quantiles %}
select {{ group_keys }}, 'pinball_loss', {{ d.string(q.text) }}, {{ d.divide('sum_pinball_q' + loop.index0, 'n_q' + loop.index0) }}, cast(n_q{{ loop.index0 }} as {{ d.types.bigint }})
from summary
union all
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
select
    {{ group_keys }},
    'mean_pinball_loss',
    cast(null as {{ d.types.text }}),
    ({{ values | join(' + ') }}) / nullif({{ present | join(' + ') }}, 0),
    cast({{ ('greatest(' + counts.join(', ') + ')') if counts.length > 1 else counts[0] }} as {{ d.types.bigint }})
from summary
{% endif %}

{% import "macros/forecast.sql" as forecast with context %}
{% set series = m.predictions.key %}
-- The evaluated forecasts of monitor {{ m.name }} as the slicing macros read them (macros/slices.sql):
-- predicted_at places a row in its window (its target_time), segments are text, and each row carries
-- MASE's scale of its series for its window in each granularity. A session table of its own, not a
-- CTE of the metric step, so that Postgres plans the metric step's joins with its statistics: over a
-- CTE it joined the rows to the segment ranks by nested loops (docs/performance.md).
select
    evaluations.target_time as predicted_at,
    evaluations.model_version,
    evaluations.label_status,
    evaluations.horizon,
{% for s in m.segments %}
    {{ d.toText('evaluations.' + d.quote(s.column)) if series.includes(s.column) else 'evaluations.' + d.quote(s.column) }} as {{ d.quote(s.column) }},
{% endfor %}
{% for c in forecast.value_columns %}
    evaluations.{{ c }},
{% endfor %}
{% for g in m.granularities %}
    scales_{{ loop.index0 }}.scale as hs_scale_{{ loop.index0 }}{{ ',' if not loop.last }}
{% endfor %}
from {{ rel('evaluations') }} as evaluations
{% for g in m.granularities %}
{% set scales = 'scales_' + loop.index0 %}
left join {{ rel('mase_scales') }} as {{ scales }}
    on {{ scales }}.granularity = '{{ g }}'
    and {{ scales }}.window_start = {{ d.windowStart(g, 'evaluations.target_time') }}
{% for k in series %}
    and {{ scales }}.{{ d.quote(k) }} = evaluations.{{ d.quote(k) }}
{% endfor %}
{% endfor %}

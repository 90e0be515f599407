{% import "macros/sources.sql" as src with context %}
{% set f = m.forecast %}
{% set series = m.predictions.key %}
-- One row per kept forecast of monitor {{ m.name }} with its actual and label status: the actual of
-- the same series whose time is the forecast's target_time, whenever it arrived. A forecast without
-- one is pending until {{ m.within.text }} after its target_time, then missing.
select
{% for k in series %}
    forecasts.{{ d.quote(k) }},
{% endfor %}
    forecasts.forecast_time,
    forecasts.target_time,
    forecasts.horizon,
    forecasts.model_version,
    forecasts.prediction,
{% if f.interval %}
    forecasts.interval_lower,
    forecasts.interval_upper,
{% endif %}
{% for q in f.quantiles %}
    forecasts.{{ src.name(q.column) }},
{% endfor %}
{% for s in m.segments %}
{% if not series.includes(s.column) %}
    forecasts.{{ d.quote(s.column) }},
{% endif %}
{% endfor %}
    actuals.actual,
    case
        when actuals.actual_time is not null then 'observed'
        when {{ run.as_of }} < {{ d.addSeconds('forecasts.target_time', m.within.seconds) }} then 'pending'
        else 'missing'
    end as label_status,
    actuals.{{ 'logged_at' if f.actualLoggedAt else 'actual_time' }} as observed_at,
    {{ d.hoursBetween('forecasts.forecast_time', 'actuals.' + ('logged_at' if f.actualLoggedAt else 'actual_time')) }} as label_delay_hours
from {{ rel('prediction_events') }} as forecasts
left join {{ rel('outcome_events') }} as actuals
    on {{ src.key_match('actuals', 'forecasts') }}
    and actuals.actual_time = forecasts.target_time
    and actuals.actual_rank = 1
where forecasts.duplicate_rank = 1

{% import "macros/sources.sql" as src with context %}
{% set f = m.forecast %}
{% set series = m.predictions.key %}
-- Forecast rows of monitor {{ m.name }}: the configured columns under hindsight's names, the
-- monitor's filter applied and nothing written after the run's as-of time ({{ arrival.predictions }}).
-- A forecast is identified by its series, forecast_time and target_time; duplicate_rank = 1 marks
-- the row kept for it ({{ (m.predictions.dedupe + ' ' + f.loggedAt.column + ' wins, then ') if f.loggedAt }}ties broken on the values, docs/semantics.md §5d).
with events as (
    select
{% for k in series %}
        {{ d.quote(k) }},
{% endfor %}
        {{ d.toTimestamp(d.quote(m.predictions.timestamp)) }} as forecast_time,
        {{ d.toTimestamp(d.quote(f.targetTime.column)) }} as target_time,
{% if f.loggedAt %}
        {{ d.toTimestamp(d.quote(f.loggedAt.column)) }} as logged_at,
{% endif %}
        {{ d.toText(d.quote(m.predictions.modelVersion)) if m.predictions.modelVersion else 'cast(null as ' + d.types.text + ')' }} as model_version,
        {{ src.read(f.prediction) }} as prediction,
{% if f.interval %}
        {{ src.read(f.interval.lower) }} as interval_lower,
        {{ src.read(f.interval.upper) }} as interval_upper,
{% endif %}
{% for q in f.quantiles %}
        {{ src.read(q.column) }} as {{ src.name(q.column) }},
{% endfor %}
{% for s in m.segments %}
{% if not series.includes(s.column) %}
        {{ d.toText(d.quote(s.column)) }} as {{ d.quote(s.column) }},
{% endif %}
{% endfor %}
        -- whole horizon units ({{ f.horizonUnit }}s) from the forecast to its target, rounded up
        cast(ceil({{ d.hoursBetween(d.toTimestamp(d.quote(m.predictions.timestamp)), d.toTimestamp(d.quote(f.targetTime.column))) }} / {{ f.unitSeconds / 3600 }}) as {{ d.types.bigint }}) as horizon
    from {{ src.source(m.predictions) }}
    where {{ source_time(arrival.predictions, '<=', 'as_of') }}
{% if run.incremental %}
        and {{ source_time(f.targetTime.column, '>=', 'evaluate_from') }}
{% endif %}
{% for k in series %}
        and {{ d.quote(k) }} is not null
{% endfor %}
        and {{ d.quote(m.predictions.timestamp) }} is not null
        and {{ d.quote(f.targetTime.column) }} is not null
{% if m.predictions.where %}
        and {{ src.predictions_where('        ') }}
{% endif %}
)

select
    events.*,
    row_number() over (
        partition by {{ src.key_list('events.') }}, events.forecast_time, events.target_time
{% set order = [] %}
{% if f.loggedAt %}{% set _ = order.push('events.logged_at ' + ('desc' if m.predictions.dedupe == 'latest' else 'asc')) %}{% endif %}
{% set _ = order.push('events.prediction desc nulls last', d.binaryCollate('events.model_version') + ' nulls last') %}
{% for s in m.segments %}{% if not series.includes(s.column) %}{% set _ = order.push(d.binaryCollate('events.' + d.quote(s.column)) + ' nulls last') %}{% endif %}{% endfor %}
{% if f.interval %}{% set _ = order.push('events.interval_lower desc nulls last', 'events.interval_upper desc nulls last') %}{% endif %}
{% for q in f.quantiles %}{% set _ = order.push('events.' + src.name(q.column) + ' desc nulls last') %}{% endfor %}
        order by
            {{ order | join(',\n            ') }}
    ) as duplicate_rank
from events

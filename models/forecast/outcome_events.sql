{% import "macros/sources.sql" as src with context %}
{% set f = m.forecast %}
-- Actuals of monitor {{ m.name }}: the team's figures as they are, keyed like the forecasts'
-- series, nothing written after the run's as-of time ({{ arrival.outcomes }}).
{% if run.actuals_from %}
-- From a seasonal lag before the stored MASE history on (models/forecast/mase_scales.sql): every
-- recomputed window, and the history since the previous run's checkpoint.
{% else %}
-- Every actual: MASE's scale needs each series' whole history{{ ', and this run cannot start from the stored one' if run.incremental }}.
{% endif %}
-- actual_rank = 1 marks the actual kept for its series and time ({{ (m.outcomes.dedupe + ' ' + f.actualLoggedAt.column + ' wins, then ') if f.actualLoggedAt }}the higher value).
select
    *,
    row_number() over (
        partition by {{ src.key_list() }}, actual_time
        order by
{% if f.actualLoggedAt %}
            logged_at {{ 'desc' if m.outcomes.dedupe == 'latest' else 'asc' }},
{% endif %}
            actual desc
    ) as actual_rank
from (
    select
{% for k in m.outcomes.key %}
        {{ d.quote(k) }}{% if k != m.predictions.key[loop.index0] %} as {{ d.quote(m.predictions.key[loop.index0]) }}{% endif %},
{% endfor %}
        {{ d.toTimestamp(d.quote(m.outcomes.timestamp)) }} as actual_time,
{% if f.actualLoggedAt %}
        {{ d.toTimestamp(d.quote(f.actualLoggedAt.column)) }} as logged_at,
{% endif %}
        {{ src.read(f.actual) }} as actual
    from {{ src.source(m.outcomes, 1) }}
    where {{ source_time(arrival.outcomes, '<=', 'as_of') }}
{% if run.actuals_from %}
        and {{ source_time(m.outcomes.timestamp, '>=', 'actuals_from') }}
{% endif %}
        and {{ d.quote(m.outcomes.timestamp) }} is not null
        and {{ d.quote(f.actual.column) }} is not null
{% for k in m.outcomes.key %}
        and {{ d.quote(k) }} is not null
{% endfor %}
) as actuals

{% import "macros/sources.sql" as src with context %}
-- Outcome events of monitor {{ m.name }}: the team's ground truth as it is, keyed like the
-- predictions, labels as 1/0, nothing after the run's as-of time.
select
{% for k in m.outcomes.key %}
    {{ d.quote(k) }}{% if k != m.predictions.key[loop.index0] %} as {{ d.quote(m.predictions.key[loop.index0]) }}{% endif %},
{% endfor %}
    {{ d.toTimestamp(d.quote(m.outcomes.timestamp)) }} as observed_at,
{% for v in m.outcomes.values %}
    {{ src.read(v) }} as {{ src.name(v) }}{{ ',' if not loop.last }}
{% endfor %}
from {{ src.source(m.outcomes, 0) }}
where {{ source_time(m.outcomes.timestamp, '<=', 'as_of') }}
{% if run.incremental %}
    and {{ source_time(m.outcomes.timestamp, '>=', 'outcomes_from') }}
{% endif %}
{% if m.outcomes.values.length == 1 %}
    and {{ d.quote(m.outcomes.values[0].column) }} is not null
{% else %}
    and ({% for v in m.outcomes.values %}{{ d.quote(v.column) }} is not null{{ ' or ' if not loop.last }}{% endfor %})
{% endif %}
{% for k in m.outcomes.key %}
    and {{ d.quote(k) }} is not null
{% endfor %}

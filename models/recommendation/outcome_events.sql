{% import "macros/sources.sql" as src with context %}
{% set r = m.recommendation %}
-- Interaction events of monitor {{ m.name }}: the match key under the predictions' match column
-- names, the item as text, the relevance ({{ 'column ' + r.relevance.column + ', above 0' if r.relevance else '1 for every interaction' }}), nothing after
-- the run's as-of time.
select
{% for k in m.outcomes.key %}
    {{ d.quote(k) }}{% if k != r.match[loop.index0] %} as {{ d.quote(r.match[loop.index0]) }}{% endif %},
{% endfor %}
    {{ d.toTimestamp(d.quote(m.outcomes.timestamp)) }} as observed_at,
    {{ d.toText(d.quote(r.interactionItem.column)) }} as item,
    {{ d.toDouble(d.quote(r.relevance.column) if r.relevance else '1') }} as relevance
from {{ src.source(m.outcomes, 0) }}
where {{ source_time(m.outcomes.timestamp, '<=', 'as_of') }}
{% if run.incremental %}
    and {{ source_time(m.outcomes.timestamp, '>=', 'outcomes_from') }}
{% endif %}
    and {{ d.quote(r.interactionItem.column) }} is not null
{% if r.relevance %}
    -- a NULL, zero or negative relevance is not an interaction
    and {{ d.toDouble(d.quote(r.relevance.column)) }} > 0
{% endif %}
{% for k in m.outcomes.key %}
    and {{ d.quote(k) }} is not null
{% endfor %}

{% import "macros/sources.sql" as src with context %}
-- Incremental planning for monitor {{ m.name }}: the earliest prediction time whose score or label
-- data newer than the previous run (as of {{ run.previous_as_of }}) can have changed (affected_from),
-- NULL when nothing points back. An outcome outside its prediction's window changes no label, only
-- that window's outcomes_late count, which the write step adds to (models/write.sql).
select min(predicted_at) as affected_from
from (
{% if m.predictions.dedupe == 'latest' %}
    -- kept predictions whose key has a newer event, which now replaces them
    select kept.predicted_at
    from {{ tables.evaluations }} as kept
    inner join (
        select distinct {{ src.key_list() }}
        from {{ src.source(m.predictions, 2) }}
        where {{ d.quote(m.predictions.timestamp) }} > {{ run.previous_as_of }}
            and {{ d.quote(m.predictions.timestamp) }} <= {{ run.as_of }}
{% if m.predictions.where %}
            and ({{ m.predictions.where }})
{% endif %}
    ) as new_events
        on {{ src.key_match('kept', 'new_events') }}
    union all
{% endif %}
    -- predictions whose key has a new outcome event inside their {{ m.within.text }} window
    -- (outcome_matches.sql): it can change the label
    select kept.predicted_at
    from {{ tables.evaluations }} as kept
    inner join (
        select
{% for k in m.outcomes.key %}
            {{ d.quote(k) }} as {{ d.quote(m.predictions.key[loop.index0]) }},
{% endfor %}
            {{ d.toTimestamp(d.quote(m.outcomes.timestamp)) }} as observed_at
        from {{ src.source(m.outcomes, 2) }}
        where {{ d.quote(m.outcomes.timestamp) }} > {{ run.previous_as_of }}
            and {{ d.quote(m.outcomes.timestamp) }} <= {{ run.as_of }}
    ) as new_outcomes
        on {{ src.key_match('kept', 'new_outcomes') }}
        and new_outcomes.observed_at >= kept.predicted_at
        and new_outcomes.observed_at <= {{ d.addSeconds('kept.predicted_at', m.within.seconds) }}
) as affected

{% import "macros/sources.sql" as src with context %}
-- Incremental planning for monitor {{ m.name }}: the earliest prediction time that data newer than
-- the previous run (as of {{ run.previous_as_of }}) can have changed (affected_from), and the earliest
-- whose score or label it can have changed (metrics_affected_from: an outcome outside the prediction's
-- window changes only data-quality counts). NULL when nothing points back.
select
    min(predicted_at) as affected_from,
    min(case when changes_label = 1 then predicted_at end) as metrics_affected_from
from (
{% if m.predictions.dedupe == 'latest' %}
    -- kept predictions whose key has a newer event, which now replaces them
    select kept.predicted_at, 1 as changes_label
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
    -- predictions whose key has a new outcome event: a late or early one counts in their window's
    -- data quality, one inside their {{ m.within.text }} window (outcome_matches.sql) can change the label
    select
        kept.predicted_at,
        case
            when new_outcomes.observed_at >= kept.predicted_at
                and new_outcomes.observed_at <= {{ d.addSeconds('kept.predicted_at', m.within.seconds) }} then 1
            else 0
        end as changes_label
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
) as affected

{% import "macros/sources.sql" as src with context %}
-- Outcome events classified against the kept prediction of their key: counting (inside the
-- prediction's {{ m.within.text }} window), late, early (at most {{ m.within.text }} before it) or orphan.
-- A full refresh keeps every event; an incremental run only those it counts (below).
with predictions as (
    select {{ src.key_list() }}, predicted_at, model_version
    from {{ rel('prediction_events') }}
    where duplicate_rank = 1
),

classified as (
    select
        {{ src.key_list('outcomes.') }},
        outcomes.observed_at,
{% for v in m.outcomes.values %}
        outcomes.{{ src.name(v) }},
{% endfor %}
        predictions.predicted_at,
        predictions.model_version,
        case
            when predictions.predicted_at is null then 'orphan'
            when outcomes.observed_at < {{ d.addSeconds('predictions.predicted_at', -m.within.seconds) }} then 'orphan'
            when outcomes.observed_at < predictions.predicted_at then 'early'
            when outcomes.observed_at <= {{ d.addSeconds('predictions.predicted_at', m.within.seconds) }} then 'counting'
            else 'late'
        end as outcome_class
    from {{ rel('outcome_events') }} as outcomes
    left join predictions
        on {{ src.key_match('predictions', 'outcomes') }}
){% if run.incremental %},

-- An incremental run keeps only what its windows count: outcomes of the predictions it evaluates
-- again, orphans observed from {{ run.evaluate_from }} on, and the late outcomes new since the previous run
-- (as of {{ run.previous_as_of }}) of predictions kept before that, which data_quality.sql counts for
-- the write step to add to their windows' stored rows. An older outcome of a prediction kept before
-- the range is counted in stored rows already, but it is no orphan: the evaluations table
-- is read for those keys alone (reading it all to match every outcome was most of this step). "Before"
-- is the test of kept_earlier in prediction_events.sql: a key is either kept there or evaluated again here.
claimed_earlier as (
    select {{ src.key_list('unmatched.') }}, kept.predicted_at, kept.model_version
    from (
        select distinct {{ src.key_list() }}
        from classified
        where predicted_at is null
            and observed_at >= {{ run.evaluate_from }}
    ) as unmatched
    inner join {{ tables.evaluations }} as kept
        on {{ src.key_match('kept', 'unmatched') }}
        and kept.predicted_at < {{ run.evaluate_from }}
)

select
{% for k in m.predictions.key %}
    classified.{{ d.quote(k) }},
{% endfor %}
    classified.observed_at,
{% for v in m.outcomes.values %}
    classified.{{ src.name(v) }},
{% endfor %}
{% set claimed = 'claimed_earlier.' + d.quote(m.predictions.key[0]) + ' is not null' %}
    case when {{ claimed }} then claimed_earlier.predicted_at else classified.predicted_at end as predicted_at,
    case when {{ claimed }} then claimed_earlier.model_version else classified.model_version end as model_version,
    -- such an outcome is late: the range starts at least {{ m.within.text }} before the previous as-of
    case when {{ claimed }} then 'late' else classified.outcome_class end as outcome_class
from classified
left join claimed_earlier
    on {{ src.key_match('claimed_earlier', 'classified') }}
where classified.predicted_at is not null
    or (classified.observed_at >= {{ run.evaluate_from }}
        and claimed_earlier.{{ d.quote(m.predictions.key[0]) }} is null)
    or ({{ claimed }}
        and classified.observed_at > {{ run.previous_as_of }}
        and classified.observed_at > {{ d.addSeconds('claimed_earlier.predicted_at', m.within.seconds) }})
{% else %}

select * from classified
{% endif %}

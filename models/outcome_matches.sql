{% import "macros/sources.sql" as src with context %}
-- Every outcome event classified against the kept prediction of its key: counting (inside the
-- prediction's {{ m.within.text }} window), late, early (at most {{ m.within.text }} before it) or orphan.
with predictions as (
    select {{ src.key_list() }}, predicted_at, model_version
    from {{ rel('prediction_events') }}
    where duplicate_rank = 1
{% if run.incremental %}
    union all
    -- predictions kept before the recomputed range still claim their late outcomes
    select {{ src.key_list() }}, predicted_at, model_version
    from {{ tables.evaluations }}
    where predicted_at < {{ run.evaluate_from }}
{% endif %}
)

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

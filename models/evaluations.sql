{% import "macros/sources.sql" as src with context %}
-- One row per kept prediction of monitor {{ m.name }} with its label and label status: what a data
-- scientist drills into, and a ready training set.
with counting as (
    select
        {{ src.key_list() }},
        observed_at,
{% for v in m.outcomes.values %}
        {{ src.name(v) }},
{% endfor %}
        row_number() over (
            partition by {{ src.key_list() }}
            order by
                observed_at {{ 'desc' if m.outcomes.dedupe == 'latest' else 'asc' }}{% for v in m.outcomes.values %},
                {{ src.higher_first(src.name(v), v) }}{% endfor %}

        ) as outcome_rank
    from {{ rel('outcome_matches') }}
    where outcome_class = 'counting'
)

select
    {{ src.key_list('predictions.') }},
    predictions.predicted_at,
    predictions.model_version,
{% for v in m.predictions.values %}
    predictions.{{ src.name(v) }},
{% endfor %}
{% for s in m.segments %}
    predictions.{{ d.quote(s.column) }},
{% endfor %}
{% for v in m.outcomes.values %}
    case
        when counting.observed_at is not null then counting.{{ src.name(v) }}
{% if m.missing == 'negative' %}
        when {{ run.as_of }} >= {{ d.addSeconds('predictions.predicted_at', m.within.seconds) }} then 0
{% endif %}
    end as {{ src.name(v) }},
{% endfor %}
    case
        when counting.observed_at is not null then 'observed'
        when {{ run.as_of }} < {{ d.addSeconds('predictions.predicted_at', m.within.seconds) }} then 'pending'
        else 'missing'
    end as label_status,
    counting.observed_at,
    {{ d.hoursBetween('predictions.predicted_at', 'counting.observed_at') }} as label_delay_hours
from {{ rel('prediction_events') }} as predictions
left join counting
    on {{ src.key_match('counting', 'predictions') }}
    and counting.outcome_rank = 1
where predictions.duplicate_rank = 1
{% if run.reads_stored_days %}
union all
-- The first days of the windows this run recomputes, before its range: no new data can change
-- their rows (docs/semantics.md section 7), so the stored ones are read instead of evaluating those
-- days again. The metric step ranks them with the rest.
select * from {{ tables.evaluations }}
where predicted_at >= {{ run.windows_from }}
    and predicted_at < {{ run.evaluate_from }}
{% endif %}

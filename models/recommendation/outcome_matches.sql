{% import "macros/sources.sql" as src with context %}
{% import "macros/recommendation.sql" as rec with context %}
{% set r = m.recommendation %}
-- Which kept requests each interaction event counts for: same {{ rec.match_list() }}, inside the
-- request's {{ m.within.text }} window (both ends inclusive){{ ', not the anchor item' if r.anchorItem }}. One row per
-- (request, interaction) that counts, and one per orphan interaction (it counts for no request).
with requests as (
    select distinct {{ src.key_list() }}{% for c in r.matchOnly %}, {{ d.quote(c) }}{% endfor %}, predicted_at{{ ', anchor_item' if r.anchorItem }}
    from {{ rel('prediction_events') }}
    where copy_rank = 1
{% if run.incremental %}
    union all
    -- requests kept before the recomputed range still claim the interactions that count for them;
    -- an interaction read here is observed from {{ run.outcomes_from }} on, so only a request made
    -- {{ m.within.text }} before that or later can claim one: older ones are not read
    select {{ src.key_list() }}{% for c in r.matchOnly %}, {{ d.quote(c) }}{% endfor %}, predicted_at{{ ', anchor_item' if r.anchorItem }}
    from {{ tables.evaluations }}
    where predicted_at < {{ run.evaluate_from }}
        and predicted_at >= {{ run.claims_from }}
{% endif %}
)

select
    {{ src.key_list('requests.') }},
    requests.predicted_at,
    interactions.item,
    interactions.relevance,
    interactions.observed_at,
    'counting' as interaction_class
from {{ rel('outcome_events') }} as interactions
inner join requests
    on {{ rec.match_on('requests', 'interactions') }}
    and interactions.observed_at >= requests.predicted_at
    and interactions.observed_at <= {{ d.addSeconds('requests.predicted_at', m.within.seconds) }}
{% if r.anchorItem %}
    and (requests.anchor_item is null or interactions.item <> requests.anchor_item)
{% endif %}
union all
select
{% for k in m.predictions.key %}
    null,
{% endfor %}
    null,
    interactions.item,
    interactions.relevance,
    interactions.observed_at,
    'orphan'
from {{ rel('outcome_events') }} as interactions
where not exists (
    select 1
    from requests
    where {{ rec.match_on('requests', 'interactions') }}
        and interactions.observed_at >= requests.predicted_at
        and interactions.observed_at <= {{ d.addSeconds('requests.predicted_at', m.within.seconds) }}
{% if r.anchorItem %}
        and (requests.anchor_item is null or interactions.item <> requests.anchor_item)
{% endif %}
)

{% import "macros/sources.sql" as src with context %}
{% import "macros/incremental.sql" as incremental with context %}
-- Incremental planning for monitor {{ m.name }} (docs/semantics.md §7): the earliest prediction time
-- whose score, label or label status data newer than the previous run (as of {{ run.previous_as_of }})
-- can have changed. NULL when nothing points back; the runner recomputes from the previous as-of
-- minus {{ m.within.text }} anyway (pending labels turn missing), so new outcomes need no term: one
-- inside its prediction's window belongs to a prediction made after that, and a late one changes
-- no label, only its window's outcomes_late count, which the write step adds to. (Recommendations
-- have their own plan: their interactions match requests by other columns than the request key.)
{% if m.predictions.dedupe == 'latest' and not run.replaced_from %}
-- First of two passes (src/compiler/compile.ts planIncrementalRange): the earliest kept prediction
-- whose key has a newer event, which now replaces it. The second pass reads the outcomes from that
-- time minus {{ m.within.text }} on, a bound warehouses prune by only as a literal.
with replaced as (
{{ incremental.replaced_predictions() }}
)

select min(predicted_at) as replaced_from
from replaced
{% elif m.predictions.dedupe == 'latest' %}
-- Second pass, the first having found replaced predictions from {{ run.replaced_from }} on: those
-- predictions, and their keys' outcomes observed before them but less than {{ m.within.text }} before
-- (early ones): against the newer prediction they are orphans, counted in the windows of their own
-- time
with replaced as (
{{ incremental.replaced_predictions(run.replaced_from) }}
)

-- an early outcome is observed before its prediction, so the earliest row of a key is its outcome's
select min(coalesce(outcomes.observed_at, replaced.predicted_at)) as affected_from
from replaced
left join (
    select
{% for k in m.outcomes.key %}
        {{ d.quote(k) }} as {{ d.quote(m.predictions.key[loop.index0]) }},
{% endfor %}
        {{ d.toTimestamp(d.quote(m.outcomes.timestamp)) }} as observed_at
    from {{ src.source(m.outcomes, 2) }}
    where {{ source_time(m.outcomes.timestamp, '<=', 'previous_as_of') }}
        and {{ source_time(m.outcomes.timestamp, '>=', 'replaced_outcomes_from') }}
) as outcomes
    on {{ src.key_match('outcomes', 'replaced') }}
    and outcomes.observed_at < replaced.predicted_at
    and outcomes.observed_at >= {{ d.addSeconds('replaced.predicted_at', -m.within.seconds) }}
{% else %}
-- dedupe: earliest, so a newer event never replaces a kept prediction
select cast(null as {{ d.types.timestamp }}) as affected_from
{% endif %}

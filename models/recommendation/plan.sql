{% import "macros/sources.sql" as src with context %}
{% import "macros/incremental.sql" as incremental with context %}
-- Incremental planning for monitor {{ m.name }} (docs/semantics.md §5e): the earliest request time that
-- data newer than the previous run (as of {{ run.previous_as_of }}) can have changed. NULL when nothing points
-- back. New interactions need no term: one after the previous as-of counts only for requests after
-- previous as_of - {{ m.within.text }}, which the runner recomputes anyway.
{% if m.predictions.dedupe == 'latest' %}
-- kept requests whose key has a newer copy, which now replaces them
with replaced as (
{{ incremental.replaced_predictions() }}
)

select min(predicted_at) as affected_from
from replaced
{% else %}
-- dedupe: earliest, so a newer copy never replaces a kept one
select cast(null as {{ d.types.timestamp }}) as affected_from
{% endif %}

{% import "macros/sources.sql" as src with context %}
-- Incremental planning for monitor {{ m.name }} (docs/semantics.md §5e): the earliest request time that
-- data newer than the previous run (as of {{ run.previous_as_of }}) can have changed. NULL when nothing points
-- back. New interactions need no term: one after the previous as-of counts only for requests after
-- previous as_of - {{ m.within.text }}, which the runner recomputes anyway.
{% if m.predictions.dedupe == 'latest' %}
-- kept requests whose key has a newer copy, which now replaces them
select min(kept.predicted_at) as affected_from
from {{ tables.evaluations }} as kept
inner join (
    select distinct {{ src.key_list() }}
    from {{ src.source(m.predictions, 1) }}
    where {{ d.quote(m.predictions.timestamp) }} > {{ run.previous_as_of }}
        and {{ d.quote(m.predictions.timestamp) }} <= {{ run.as_of }}
{% if m.predictions.where %}
        and ({{ m.predictions.where }})
{% endif %}
) as new_copies
    on {{ src.key_match('kept', 'new_copies') }}
{% else %}
-- dedupe: earliest, so a newer copy never replaces a kept one
select cast(null as {{ d.types.timestamp }}) as affected_from
{% endif %}

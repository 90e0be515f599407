{% import "macros/sources.sql" as src with context %}
-- Prediction events of monitor {{ m.name }}: the configured columns only, renamed to hindsight's
-- names, the monitor's filter applied and nothing after the run's as-of time.
-- duplicate_rank = 1 marks the event kept for its key ({{ m.predictions.dedupe }} {{ m.predictions.timestamp }} wins).
with events as (
    select
{% for k in m.predictions.key %}
        {{ d.quote(k) }},
{% endfor %}
        {{ d.toTimestamp(d.quote(m.predictions.timestamp)) }} as predicted_at,
{% for v in m.predictions.values %}
        {{ src.read(v) }} as {{ src.name(v) }},
{% endfor %}
        {{ d.toText(d.quote(m.predictions.modelVersion)) if m.predictions.modelVersion else 'cast(null as ' + d.types.text + ')' }} as model_version{{ ',' if m.segments.length }}
{% for s in m.segments %}
        {{ d.toText(d.quote(s.column)) }} as {{ d.quote(s.column) }}{{ ',' if not loop.last }}
{% endfor %}
    from {{ src.source(m.predictions) }}
    where {{ source_time(m.predictions.timestamp, '<=', 'as_of') }}
{% if run.incremental %}
        and {{ source_time(m.predictions.timestamp, '>=', 'evaluate_from') }}
{% endif %}
{% for k in m.predictions.key %}
        and {{ d.quote(k) }} is not null
{% endfor %}
{% if m.predictions.where %}
        and {{ src.predictions_where('        ') }}
{% endif %}
),

ranked as (
    select
        events.*,
        row_number() over (
            partition by {{ src.key_list('events.') }}
            order by
                events.predicted_at {{ 'desc' if m.predictions.dedupe == 'latest' else 'asc' }},
{# ties on the time go to the higher values, in configuration order (docs/semantics.md §1.2): without
   them, two events of a key at one time with one version and segment would be kept at random -#}
{% for v in m.predictions.values %}
                {{ src.higher_first('events.' + src.name(v), v) }},
{% endfor %}
                {{ d.binaryCollate('events.model_version') }} nulls last{{ ',' if m.segments.length }}
{% for s in m.segments %}
                {{ d.binaryCollate('events.' + d.quote(s.column)) }} nulls last{{ ',' if not loop.last }}
{% endfor %}
        ) as duplicate_rank
    from events
){% if run.incremental %},

-- Keys already kept before the evaluated range: their events in it are duplicates. (A key has
-- one row in the evaluations table, so no distinct is needed.) outcome_matches.sql's claimed_earlier
-- uses the same test.
kept_earlier as (
    select {{ src.key_list() }}
    from {{ tables.evaluations }}
    where predicted_at < {{ run.evaluate_from }}
){% endif %}

{% if run.incremental %}
-- Ranked first, joined after: the window over the join's output took 1.3-1.5x as long at 10M
-- predictions on DuckDB (bench/prototypes/incremental-profile.ts).
select
{% for k in m.predictions.key %}
    ranked.{{ d.quote(k) }},
{% endfor %}
    ranked.predicted_at,
{% for v in m.predictions.values %}
    ranked.{{ src.name(v) }},
{% endfor %}
    ranked.model_version,
{% for s in m.segments %}
    ranked.{{ d.quote(s.column) }},
{% endfor %}
    ranked.duplicate_rank + case when kept_earlier.{{ d.quote(m.predictions.key[0]) }} is null then 0 else 1 end as duplicate_rank
from ranked
left join kept_earlier
    on {{ src.key_match('kept_earlier', 'ranked') }}
{% else %}
select * from ranked
{% endif %}

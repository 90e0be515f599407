{% import "macros/sources.sql" as src with context %}
{% set r = m.recommendation %}
{# the order that picks the kept copy: timestamp, then version, match, anchor, segments as text #}
{% set copy_order = ['events.predicted_at ' + ('desc' if m.predictions.dedupe == 'latest' else 'asc'), d.binaryCollate('events.model_version') + ' nulls last'] %}
{% for c in r.match %}{% set _ = copy_order.push(d.binaryCollate('events.hs_match_' + loop.index0) + ' nulls last') %}{% endfor %}
{% if r.anchorItem %}{% set _ = copy_order.push(d.binaryCollate('events.anchor_item') + ' nulls last') %}{% endif %}
{% for s in m.segments %}{% set _ = copy_order.push(d.binaryCollate('events.' + d.quote(s.column)) + ' nulls last') %}{% endfor %}
-- List rows of monitor {{ m.name }}: one row per recommended item under hindsight's names, the
-- monitor's filter applied and nothing after the run's as-of time. The rows of a request that share
-- timestamp, version, match columns, anchor item and segment values are one copy of its list;
-- copy_rank = 1 marks the kept copy ({{ m.predictions.dedupe }} {{ m.predictions.timestamp }} wins).
with events as (
    select
{% for k in m.predictions.key %}
        {{ d.quote(k) }},
{% endfor %}
{% for c in r.matchOnly %}
        {{ d.quote(c) }},
{% endfor %}
        {{ d.toTimestamp(d.quote(m.predictions.timestamp)) }} as predicted_at,
        {{ d.toText(d.quote(r.item.column)) }} as item,
        {{ d.toDouble(d.quote(r.rank.column)) }} as list_rank,
{% if r.score %}
        {{ d.toDouble(d.quote(r.score.column)) }} as score,
{% endif %}
{% if r.anchorItem %}
        {{ d.toText(d.quote(r.anchorItem.column)) }} as anchor_item,
{% endif %}
{% for c in r.match %}
        -- the match columns as text, to order copies
        {{ d.toText(d.quote(c)) }} as hs_match_{{ loop.index0 }},
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
{% for c in r.matchOnly %}
        and {{ d.quote(c) }} is not null
{% endfor %}
        and {{ d.quote(r.item.column) }} is not null
        and {{ d.quote(r.rank.column) }} is not null
{% if m.predictions.where %}
        and {{ src.predictions_where('        ') }}
{% endif %}
){% if run.incremental %},

-- Requests already kept before the recomputed range: their copies in it are duplicates. (A request
-- has one row in the evaluations table, so no distinct is needed: at 1M predictions on Postgres, its
-- aggregate over the stored requests was 1.0 of the step's 3.6 s, docs/performance.md.)
kept_earlier as (
    select {{ src.key_list() }}
    from {{ tables.evaluations }}
    where predicted_at < {{ run.evaluate_from }}
){% endif %}

select
    events.*,
    dense_rank() over (
        partition by {{ src.key_list('events.') }}
        order by
            {{ copy_order | join(',\n            ') }}
    ){% if run.incremental %} + case when kept_earlier.{{ d.quote(m.predictions.key[0]) }} is null then 0 else 1 end{% endif %} as copy_rank
from events
{% if run.incremental %}
left join kept_earlier
    on {{ src.key_match('kept_earlier', 'events') }}
{% endif %}

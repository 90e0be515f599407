{% import "macros/sources.sql" as src with context %}
{% import "macros/recommendation.sql" as rec with context %}
{% set r = m.recommendation %}
-- One row per kept request of monitor {{ m.name }}: its list length, its relevant items, and for each
-- k of {{ r.k | join(', ') }} the relevant items in its top k (hits_at_k), its nDCG@k and average precision@k;
-- its label status says whether they are final (its {{ m.within.text }} window has closed). Sums
-- of doubles are exact (d.exactSum), so the values never depend on row order.
with requests as (
    select distinct
        {{ src.key_list() }},
        predicted_at,
        model_version{{ ',' if r.matchOnly.length or r.anchorItem or m.segments.length }}
{% for c in r.matchOnly %}
        {{ d.quote(c) }}{{ ',' if not loop.last or r.anchorItem or m.segments.length }}
{% endfor %}
{% if r.anchorItem %}
        anchor_item{{ ',' if m.segments.length }}
{% endif %}
{% for s in m.segments %}
        {{ d.quote(s.column) }}{{ ',' if not loop.last }}
{% endfor %}
    from {{ rel('prediction_events') }}
    where copy_rank = 1
),

-- the relevant items of each request (listed or not), each with its gain
relevant as (
    select
        {{ src.key_list() }},
        item,
        max(relevance) as gain,
        min(observed_at) as first_at,
        row_number() over (partition by {{ src.key_list() }} order by max(relevance) desc) as ideal_position
    from {{ rel('outcome_matches') }}
    where interaction_class = 'counting'
    group by {{ src.key_list() }}, item
),

per_request_relevant as (
    select
        {{ src.key_list() }},
        count(*) as relevant_items,
        min(first_at) as observed_at,
{% for k in r.k %}
        {{ d.exactSum('case when ideal_position <= ' + k + ' then gain / ' + rec.log2('ideal_position + 1') + ' else 0 end') }} as idcg_{{ k }}{{ ',' if not loop.last }}
{% endfor %}
    from relevant
    group by {{ src.key_list() }}
),

per_request_list as (
    select
        {{ src.key_list() }},
        count(*) as list_length,
        min(case when gain > 0 then list_position end) as first_relevant_position,
{% for k in r.k %}
        -- (count, not sum: a BIGINT on every warehouse, where DuckDB's sum of integers is a HUGEINT BI tools may not read)
        count(case when list_position <= {{ k }} and gain > 0 then 1 end) as hits_{{ k }},
        {{ d.exactSum('case when list_position <= ' + k + ' then gain / ' + rec.log2('list_position + 1') + ' else 0 end') }} as dcg_{{ k }}{{ ',' if not loop.last }}
{% endfor %}
    from {{ rel('list_items') }}
    group by {{ src.key_list() }}
),

-- average precision's terms, from the listed relevant items only: each one's precision at its
-- position, hits_through / position, where hits_through counts the relevant items up to it. (A
-- running count over every listed item took a third of the list_items step on DuckDB:
-- docs/performance.md.)
listed_hits as (
    select
        {{ src.key_list() }},
        list_position,
        row_number() over (partition by {{ src.key_list() }} order by list_position) as hits_through
    from {{ rel('list_items') }}
    where gain > 0
),

per_request_ap as (
    select
        {{ src.key_list() }},
{% for k in r.k %}
        {{ d.exactSum('case when list_position <= ' + k + ' then ' + d.toDouble('hits_through') + ' / list_position else 0 end') }} as ap_sum_{{ k }}{{ ',' if not loop.last }}
{% endfor %}
    from listed_hits
    group by {{ src.key_list() }}
)

select
    {{ src.key_list('requests.') }},
    requests.predicted_at,
    requests.model_version,
{% for c in r.matchOnly %}
    requests.{{ d.quote(c) }},
{% endfor %}
{% if r.anchorItem %}
    requests.anchor_item,
{% endif %}
{% for s in m.segments %}
    requests.{{ d.quote(s.column) }},
{% endfor %}
    lists.list_length,
    coalesce(relevant.relevant_items, 0) as relevant_items,
    lists.first_relevant_position,
{% for k in r.k %}
    lists.hits_{{ k }} as hits_at_{{ k }},
    {{ d.toDouble('lists.dcg_' + k) }} / nullif({{ d.toDouble('relevant.idcg_' + k) }}, 0) as ndcg_at_{{ k }},
    {{ d.toDouble('coalesce(ap.ap_sum_' + k + ', 0)') }} / nullif(least({{ k }}, coalesce(relevant.relevant_items, 0)), 0) as ap_at_{{ k }},
{% endfor %}
    case
        when {{ run.as_of }} < {{ d.addSeconds('requests.predicted_at', m.within.seconds) }} then 'pending'
        when relevant.relevant_items > 0 then 'observed'
        else 'missing'
    end as label_status,
    relevant.observed_at,
    {{ d.hoursBetween('requests.predicted_at', 'relevant.observed_at') }} as label_delay_hours
from requests
inner join per_request_list as lists
    on {{ src.key_match('lists', 'requests') }}
left join per_request_relevant as relevant
    on {{ src.key_match('relevant', 'requests') }}
left join per_request_ap as ap
    on {{ src.key_match('ap', 'requests') }}

{#-
  Slicing shared by every problem type: each evaluated row appears once per granularity and per
  slice (overall, then each segment column), with a segment's rare values folded into __other__.
  `columns` are the evaluation columns the metric step needs, `where` picks the evaluated rows.
  `source` is what they read instead of the evaluations table (a CTE with the same columns, or
  with a `predicted_at` that places a row in its window, like a forecast's target_time).
-#}
{% macro segment_ranks(source=none) %}
{% for g in m.granularities %}
{% for s in m.segments %}
    select
        '{{ g }}' as granularity,
        '{{ s.column }}' as segment,
        window_start,
        segment_value,
        row_number() over (
            partition by window_start
            order by count(*) desc, {{ d.binaryCollate('segment_value') }}
        ) <= {{ s.top }} as is_top
    from (
        select {{ d.windowStart(g, 'predicted_at') }} as window_start, {{ d.quote(s.column) }} as segment_value
        from {{ source or rel('evaluations') }}
        where {{ d.quote(s.column) }} is not null
    ) as segment_values
    group by window_start, segment_value
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
{% endmacro %}

{% macro sliced_rows(columns, where, source=none) %}
{% for g in m.granularities %}
    select
        '{{ g }}' as granularity,
        {{ d.windowStart(g, 'evaluated.predicted_at') }} as window_start,
        evaluated.model_version,
        cast(null as {{ d.types.text }}) as segment,
        cast(null as {{ d.types.text }}) as segment_value,
        evaluated.{{ columns | join(', evaluated.') }}
    from {{ source or rel('evaluations') }} as evaluated
    where {{ where }}
{% for s in m.segments %}
    union all
    select
        '{{ g }}',
        {{ d.windowStart(g, 'evaluated.predicted_at') }},
        evaluated.model_version,
        '{{ s.column }}',
        case
            when evaluated.{{ d.quote(s.column) }} is null then null
            when ranks.is_top then evaluated.{{ d.quote(s.column) }}
            else '__other__'
        end,
        evaluated.{{ columns | join(', evaluated.') }}
    from {{ source or rel('evaluations') }} as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = '{{ g }}'
        and ranks.segment = '{{ s.column }}'
        and ranks.window_start = {{ d.windowStart(g, 'evaluated.predicted_at') }}
        and ranks.segment_value = evaluated.{{ d.quote(s.column) }}
    where {{ where }}
{% endfor %}
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
{% endmacro %}

{#-
  One more slice without top-N folding (a forecast's horizon): `value` is each row's segment value
  as text; `where` picks the rows, and so the values that get rows.
-#}
{% macro unfolded_slice(segment, value, columns, where, source=none) %}
{% for g in m.granularities %}
    select
        '{{ g }}',
        {{ d.windowStart(g, 'evaluated.predicted_at') }},
        evaluated.model_version,
        '{{ segment }}',
        {{ value }},
        evaluated.{{ columns | join(', evaluated.') }}
    from {{ source or rel('evaluations') }} as evaluated
    where {{ where }}
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
{% endmacro %}

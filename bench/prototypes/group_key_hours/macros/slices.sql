{#-
  Slicing shared by every problem type: each evaluated row appears once per granularity and per
  slice (overall, then each segment column), with a segment's rare values folded into __other__.
  `columns` are the evaluation columns the metric step needs, `where` picks the evaluated rows.
  `source` (segment_ranks, cell_rows) is what they read instead of the evaluations table: a CTE with
  the same columns, or with a `predicted_at` that places a row in its window, like a forecast's
  target_time.
-#}
{% import "macros/incremental.sql" as incremental %}
{% import "macros/windows.sql" as windows with context %}
{#- The rows of granularity g's windows this run computes (all in a full refresh): macros/incremental.sql. -#}
{% macro since(g, column='evaluated.predicted_at') -%}
{{ incremental.since(run, g, column) }}
{%- endmacro %}

{#- Each evaluated row's segment value's rank in its window (the row of segment_ranks), if any. -#}
{% macro value_rank_join(g, s, ranks='ranks') %}
    left join segment_ranks as {{ ranks }}
        on {{ ranks }}.granularity = '{{ g }}'
        and {{ ranks }}.segment = '{{ s.column }}'
        and {{ ranks }}.window_start = {{ d.windowStart(g, 'evaluated.predicted_at') }}
        and {{ ranks }}.segment_value = evaluated.{{ d.quote(s.column) }}
{%- endmacro %}

{#- An evaluated row's value_index for segment s (see slice_key below), from its value_rank_join as `ranks`. -#}
{% macro value_index(s, X, ranks='ranks') -%}
case
            when evaluated.{{ d.quote(s.column) }} is null then 0
            when {{ ranks }}.value_rank <= {{ s.top }} then {{ ranks }}.value_rank
            else {{ X - 1 }}
        end
{%- endmacro %}

{#-
  The rank of each segment value in each window by its rows (most first, ties by binary order): the
  top values keep their own slice, the rest fold into __other__. One scan per segment counts rows per
  day, and every granularity adds up those days (macros/windows.sql). Against one aggregate per
  granularity and segment, each a scan of the evaluations, the binary metric step took 0.92x of the
  CPU on DuckDB at 10M and 0.93x on Postgres at 1M (docs/performance.md).
-#}
{% macro segment_ranks(source=none) %}
{% for s in m.segments %}
    select
        granularity,
        '{{ s.column }}' as segment,
        window_start,
        segment_value,
        {{ loop.index }} as segment_index,
        row_number() over (
            partition by granularity, window_start
            order by sum(n) desc, {{ d.binaryCollate('segment_value') }}
        ) as value_rank
    from (
{% call windows.from_days(['days.segment_value', 'days.n'], '        ') %}
            select {{ d.windowStart('day', 'predicted_at') }} as day_start, {{ d.quote(s.column) }} as segment_value, count(*) as n
            from {{ source or rel('evaluations') }}
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where {{ d.quote(s.column) }} is not null and {{ d.quote(s.column) }} <> '__other__'
            group by 1, 2
{% endcall %}
    ) as segment_values
{% if run.incremental %}
    where {{ incremental.recomputed(run, '', '    ') }}
{% endif %}
    group by granularity, window_start, segment_value
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
{% endmacro %}

{% macro sliced_rows(columns, where) %}
{% for g in m.granularities %}
    select
        '{{ g }}' as granularity,
        {{ d.windowStart(g, 'evaluated.predicted_at') }} as window_start,
        evaluated.model_version,
        cast(null as {{ d.types.text }}) as segment,
        cast(null as {{ d.types.text }}) as segment_value,
        evaluated.{{ columns | join(', evaluated.') }}
    from {{ rel('evaluations') }} as evaluated
    where {{ where }}{{ since(g) }}
{% for s in m.segments %}
    union all
    select
        '{{ g }}',
        {{ d.windowStart(g, 'evaluated.predicted_at') }},
        evaluated.model_version,
        '{{ s.column }}',
        case
            when evaluated.{{ d.quote(s.column) }} is null then null
            when ranks.value_rank <= {{ s.top }} then evaluated.{{ d.quote(s.column) }}
            else '__other__'
        end,
        evaluated.{{ columns | join(', evaluated.') }}
    from {{ rel('evaluations') }} as evaluated
{{ value_rank_join(g, s) }}
    where {{ where }}{{ since(g) }}
{% endfor %}
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
{% endmacro %}

{#-
  Slices keyed by integers, for the metric steps whose cost is a sort per group: sorting on
  (window_start, slice_key) is several times cheaper than on the text columns granularity,
  model_version, segment and segment_value (docs/performance.md), which slice_groups() puts back
  on the few aggregated rows. With G granularities, S = segments + 1 slices and X = largest top + 2:
    slice_key = ((version_index * G + granularity_index) * S + segment_index) * X + value_index
  version_index: 0 for a NULL model version, else 1, 2, … from model_versions();
  segment_index: 0 for the overall slice, else 1, 2, … in the order of m.segments;
  value_index:   0 for the overall slice and a NULL value, a top value's rank in segment_ranks,
                 X - 1 for the values folded into __other__.
  Needs the CTEs segment_ranks (when there are segments) and model_versions.
-#}
{% macro key_sizes() -%}
{{ m.granularities.length }},{{ m.segments.length + 1 }},{{ ((m.segments | sort(true, false, 'top') | first).top if m.segments.length else 0) + 2 }}
{%- endmacro %}

{% macro model_versions() %}
    select model_version, row_number() over (order by {{ d.binaryCollate('model_version') }}) as version_index
    from (select distinct model_version from {{ rel('evaluations') }} where model_version is not null) as versions
{% endmacro %}

{#-
  One bigint per group, for the sorts and aggregates over the sliced rows: sorting on one 8-byte key
  took the binary metric step 0.84x (1M) and 0.72x (10M) of the CPU of sorting on (window_start,
  slice_key) on DuckDB (docs/performance.md). group_key = hours from 1970 to the window's start x 2^40 +
  slice_key, distinct for window starts within 950 years of 1970 and slice keys below 2^40 (model
  versions below 2^40 / (granularities x slices x values), 25 million even with four granularities,
  ten segments and top 1000).
-#}
{% macro group_key(window_start, slice_key) -%}
cast(floor({{ d.hoursBetween(d.toTimestamp("'1970-01-01'"), window_start) }}) as {{ d.types.bigint }}) * 1099511627776 + {{ slice_key }}
{%- endmacro %}

{#-
  Each evaluated row once per granularity, with what places it in every slice: its window_start, the
  base_key of its window and model version (slice_key of the overall slice), base_group_key (its
  group_key, with `with_group_key`) and value_1, value_2, ... (its value_index for each segment), then
  `columns` (select expressions over the evaluations table, or `source`, as `evaluated`). Slices are
  added up from these rows instead of from a copy of every row per slice: sums per cell of segment
  values (keyed_cells), and sliced_cell_rows for what needs the rows themselves.
-#}
{% macro cell_rows(columns, where, with_group_key=true, source=none) %}
{% set sizes = key_sizes().split(',') %}
{% set G = sizes[0] | int %}{% set S = sizes[1] | int %}{% set X = sizes[2] | int %}
{% for g in m.granularities %}
{% set window_start = d.windowStart(g, 'evaluated.predicted_at') %}
{% set base_key = '(coalesce(versions.version_index, 0) * ' + G + ' + ' + loop.index0 + ') * ' + (S * X) %}
    select
        {{ window_start }} as window_start,
        {{ base_key }} as base_key,
{% if with_group_key %}
        {{ group_key(window_start, base_key) }} as base_group_key,
{% endif %}
{% for s in m.segments %}
        {{ value_index(s, X, 'ranks_' + loop.index) }} as value_{{ loop.index }},
{% endfor %}
        {{ columns | join(',\n        ') }}
    from {{ source or rel('evaluations') }} as evaluated
    left join model_versions as versions
        on versions.model_version = evaluated.model_version
{% for s in m.segments %}
{{ value_rank_join(g, s, 'ranks_' + loop.index) }}
{% endfor %}
    where {{ where }}{{ since(g) }}
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
{% endmacro %}

{#-
  The rows of `cells` (one per window_start, base_key and segment values: value_1, ...) under each of
  their slices' keys (slice_key, above), with their `columns`.
-#}
{% macro keyed_cells(cells, columns) %}
{% set X = key_sizes().split(',')[2] | int %}
    select window_start, base_key as slice_key, {{ columns | join(', ') }}
    from {{ cells }}
{% for s in m.segments %}
    union all
    select window_start, base_key + {{ loop.index * X }} + value_{{ loop.index }}, {{ columns | join(', ') }}
    from {{ cells }}
{% endfor %}
{% endmacro %}

{#-
  Each of the cell rows under each of its slices' group_key, with `columns` (expressions over
  cell_rows), where `where` holds; `with_slice`: window_start and slice_key too, for the steps that
  name their groups from the sliced rows. `source`: a CTE with cell_rows' keys (base_group_key,
  value_1, ...; with `with_slice` also window_start and base_key) to read instead of cell_rows. The cell
  rows are computed once for all their references: by the warehouse, or where it would compute them
  once per reference (BigQuery), as a session table of their own (src/compiler/shared-expressions.ts).
-#}
{% macro sliced_cell_rows(columns, where='', with_slice=false, source='cell_rows') %}
{% set X = key_sizes().split(',')[2] | int %}
    select base_group_key as group_key, {{ 'window_start, base_key as slice_key, ' if with_slice }}{{ columns | join(', ') }}
    from {{ source }}{{ ('\n    where ' + where) if where }}
{% for s in m.segments %}
    union all
    select base_group_key + {{ loop.index * X }} + value_{{ loop.index }}, {{ ('window_start, base_key + ' + loop.index * X + ' + value_' + loop.index + ', ') if with_slice }}{{ columns | join(', ') }}
    from {{ source }}{{ ('\n    where ' + where) if where }}
{% endfor %}
{% endmacro %}

{#- The index in m.granularities (0, 1, …) of the granularity of a slice_key or base_key. -#}
{% macro granularity_index(slice_key) -%}
{% set sizes = key_sizes().split(',') %}
mod({{ d.intDivide(slice_key, (sizes[1] | int) * (sizes[2] | int)) }}, {{ sizes[0] }})
{%- endmacro %}

{#- The text columns of each (window_start, slice_key) row of `keyed`, followed by its other columns. -#}
{% macro slice_groups(keyed, other_columns) %}
{% set sizes = key_sizes().split(',') %}
{% set G = sizes[0] | int %}{% set S = sizes[1] | int %}{% set X = sizes[2] | int %}
{% set granularity = granularity_index('keyed.slice_key') %}
{% set segment_index = 'mod(' + d.intDivide('keyed.slice_key', X) + ', ' + S + ')' %}
{% set value_index = 'mod(keyed.slice_key, ' + X + ')' %}
    select
        case {{ granularity }}{% for g in m.granularities %} when {{ loop.index0 }} then '{{ g }}'{% endfor %} end as granularity,
        keyed.window_start,
        versions.model_version,
{% if m.segments.length %}
        case {{ segment_index }}{% for s in m.segments %} when {{ loop.index }} then '{{ s.column }}'{% endfor %} end as segment,
{% else %}
        cast(null as {{ d.types.text }}) as segment,
{% endif %}
        case
            when {{ value_index }} = 0 then cast(null as {{ d.types.text }})
{% if m.segments.length %}
            when {{ value_index }} = {{ X - 1 }} then '__other__'
            else ranks.segment_value
{% endif %}
        end as segment_value,
        keyed.{{ other_columns | join(', keyed.') }}
    from {{ keyed }} as keyed
    left join model_versions as versions
        on versions.version_index = {{ d.intDivide('keyed.slice_key', G * S * X) }}
{% if m.segments.length %}
    left join segment_ranks as ranks
        on ranks.window_start = keyed.window_start
        and ranks.granularity = case {{ granularity }}{% for g in m.granularities %} when {{ loop.index0 }} then '{{ g }}'{% endfor %} end
        and ranks.segment_index = {{ segment_index }}
        and ranks.value_rank = {{ value_index }}
{% endif %}
{% endmacro %}

{% import "macros/sources.sql" as src with context %}
{% import "macros/slices.sql" as slices with context %}
{% import "macros/regression.sql" as regression with context %}
{% import "macros/metric_rows.sql" as output with context %}
{% import "macros/percentiles.sql" as percentiles with context %}
{% set group_keys = 'granularity, window_start, model_version, segment, segment_value' %}
-- Regression metrics of monitor {{ m.name }}, per window, model version, slice{{ ' and output' if m.outputs.length > 1 }}.
-- Formulas are in macros/regression.sql. Sums of doubles are exact (d.exactSum), so the values
-- never depend on row order; means used inside sums of squares are exact too.
-- Groups are keyed by integers until the last step (slice keys and group_key: macros/slices.sql).
-- The sums that need no group mean or order (counts, sums of errors, minima and maxima) are each
-- row's own terms: every evaluated row is counted once per granularity and output, in a cell of its
-- window, model version and segment values, and the slices are added up from the cells. Only the
-- sums of squared deviations from a slice's means and the order statistics of |error| read the rows
-- of each slice. Computing everything on a copy of the rows per slice, grouped by the text columns,
-- took 2.0x the binary metric step's CPU at 10M on DuckDB (docs/performance.md).
with {% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks() }}
),

{% endif %}model_versions as (
{{ slices.model_versions() }}
),

{% set cell_columns = [] %}
{% for o in m.outputs %}
{% set _ = cell_columns.push('evaluated.' + src.name(o.prediction) + ' as prediction_' + loop.index0, 'evaluated.' + src.name(o.label) + ' as label_' + loop.index0) %}
{% endfor %}
cell_rows as (
{{ slices.cell_rows(cell_columns, "evaluated.label_status = 'observed'") }}
),

-- one cell per output and combination of every segment's value; a NULL label or prediction leaves
-- the row out of that output only
{% set cell_keys = ['window_start', 'base_key'] %}
{% for s in m.segments %}{% set _ = cell_keys.push('value_' + loop.index) %}{% endfor %}
cells as (
{% for o in m.outputs %}
    select
        {{ cell_keys | join(', ') }}, {{ loop.index0 }} as output_index,
{{ regression.row_sums('prediction_' + loop.index0, 'label_' + loop.index0) }}
    from cell_rows
    where prediction_{{ loop.index0 }} is not null and label_{{ loop.index0 }} is not null
    group by {{ cell_keys | join(', ') }}
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
{{ slices.keyed_cells('cells', ['output_index'].concat(regression.row_sum_columns)) }}
),

-- each group's sums
totals as (
    select
        window_start, slice_key, output_index,
{{ regression.row_sums_added() }}
    from keyed_cells
    group by window_start, slice_key, output_index
),

-- each group's means, from its exact sums: the same values a mean over its rows would have
means as (
    select
        {{ slices.group_key('window_start', 'slice_key') }} as group_key,
        output_index,
        {{ d.toDouble('sum_label') }} / n as mean_label,
        {{ d.toDouble('sum_error') }} / n as mean_error
    from totals
),

-- each row under each of its slices' keys, per output
sliced as (
{% for o in m.outputs %}
{% set p = 'prediction_' + loop.index0 %}{% set l = 'label_' + loop.index0 %}
{{ slices.sliced_cell_rows([loop.index0 + ' as output_index', l + ' as label', p + ' - ' + l + ' as error', 'abs(' + p + ' - ' + l + ') as abs_error'], p + ' is not null and ' + l + ' is not null') }}
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
),

-- what needs each slice's own rows: squared deviations from its means, and order statistics
-- (macros/percentiles.sql)
spread as (
    select
        sliced.group_key,
        sliced.output_index,
        {{ d.exactSum('(sliced.label - means.mean_label) * (sliced.label - means.mean_label)') }} as ss_label,
        {{ d.exactSum('(sliced.error - means.mean_error) * (sliced.error - means.mean_error)') }} as ss_error,
{{ percentiles.percentiles_from('sliced.abs_error', [0.5, 0.9, 0.99], ['abs_error_p50', 'abs_error_p90', 'abs_error_p99'], 'sliced.group_key, sliced.output_index', 'sliced', 'sliced') }}
    join means
        on means.group_key = sliced.group_key
        and means.output_index = sliced.output_index
    group by sliced.group_key, sliced.output_index
),

summary as (
    select
        totals.*,
{% if m.outputs.length > 1 %}
        case totals.output_index{% for o in m.outputs %} when {{ loop.index0 }} then {{ d.string(o.name) }}{% endfor %} end as output,
{% else %}
        {{ d.string(m.outputs[0].name) if m.outputs[0].name else 'cast(null as ' + d.types.text + ')' }} as output,
{% endif %}
        spread.{{ regression.spread_columns | join(', spread.') }}
    from totals
    join spread
        on spread.group_key = {{ slices.group_key('totals.window_start', 'totals.slice_key') }}
        and spread.output_index = totals.output_index
),

named_groups as (
{{ slices.slice_groups('summary', ['output'].concat(regression.row_sum_columns, regression.spread_columns)) }}
),

per_output_metrics as (
{{ output.metric_rows(regression.metrics, 'named_groups', qualifier='output', extra='n') -}}
)

select {{ group_keys }}, metric, qualifier, value, sample_size
from per_output_metrics
{% if m.outputs.length > 1 %}
union all
-- the uniform average over outputs (scikit-learn's multioutput='uniform_average'), NULLs left
-- out; `count` is the largest output's, like every average row's sample size
select
    {{ group_keys }},
    metric,
    cast(null as {{ d.types.text }}),
    case when metric = 'count' then {{ d.toDouble('max(n)') }} else {{ d.toDouble(d.exactSum('value')) }} / nullif(count(value), 0) end,
    max(n)
from per_output_metrics
group by {{ group_keys }}, metric
{% elif m.outputs[0].name %}
union all
-- one output under `outputs:`: its rows are the average too, with the NULL qualifier a BI query reads
-- and the output's count as sample size, as average rows have (copied, not averaged: an exact sum
-- of one value could only overflow)
select {{ group_keys }}, metric, cast(null as {{ d.types.text }}), value, n
from per_output_metrics
{% endif %}

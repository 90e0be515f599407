{% import "macros/sources.sql" as src with context %}
{% import "macros/slices.sql" as slices with context %}
{% import "macros/regression.sql" as regression with context %}
{% set group_keys = 'granularity, window_start, model_version, segment, segment_value' %}
{% set value_columns = [] %}
{% for o in m.outputs %}{% set _ = value_columns.push(src.name(o.prediction), src.name(o.label)) %}{% endfor %}
-- Regression metrics of monitor {{ m.name }}, per window, model version, slice{{ ' and output' if m.outputs.length > 1 }}.
-- Formulas are in macros/regression.sql. Sums of doubles are exact (d.exactSum), so the values
-- never depend on row order; means used inside sums of squares are exact too.
with {% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks() }}
),

{% endif %}sliced as (
{{ slices.sliced_rows(value_columns, "evaluated.label_status = 'observed'") }}
),

-- one row per evaluated prediction and output; a NULL label leaves the row out of that output only
per_output as (
{% for o in m.outputs %}
    select
        {{ group_keys }},
        {{ d.string(o.name) if o.name else 'cast(null as ' + d.types.text + ')' }} as output,
        {{ src.name(o.prediction) }} as prediction,
        {{ src.name(o.label) }} as label
    from sliced
    where {{ src.name(o.prediction) }} is not null
        and {{ src.name(o.label) }} is not null
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
),

errors as (
    select
        {{ group_keys }},
        output,
        prediction,
        label,
        prediction - label as error,
        abs(prediction - label) as abs_error,
        {{ d.toDouble(d.exactSum('label') + ' over (partition by ' + group_keys + ', output)') }} / count(*) over (partition by {{ group_keys }}, output) as mean_label,
        {{ d.toDouble(d.exactSum('prediction - label') + ' over (partition by ' + group_keys + ', output)') }} / count(*) over (partition by {{ group_keys }}, output) as mean_error
    from per_output
),

summary as (
    select
        {{ group_keys }},
        output,
        count(*) as n,
        {{ d.exactSum('prediction') }} as sum_prediction,
        {{ d.exactSum('label') }} as sum_label,
        {{ d.exactSum('error') }} as sum_error,
        {{ d.exactSum('abs_error') }} as sum_abs_error,
        {{ d.exactSum('error * error') }} as sum_sq_error,
        {{ d.exactSum('(label - mean_label) * (label - mean_label)') }} as ss_label,
        {{ d.exactSum('(error - mean_error) * (error - mean_error)') }} as ss_error,
        min(label) as label_min,
        max(label) as label_max,
        sum(case when label <> 0 then 1 else 0 end) as n_nonzero,
        {{ d.exactSum('case when label <> 0 then abs_error / abs(label) end') }} as sum_ape,
        {{ d.exactSum('case when abs(prediction) + abs(label) = 0 then 0 else 2 * abs_error / (abs(prediction) + abs(label)) end') }} as sum_sape,
        {{ d.exactSum('abs(label)') }} as sum_abs_label,
        max(abs_error) as max_abs_error,
        {{ d.percentile('abs_error', 0.5) }} as abs_error_p50,
        {{ d.percentile('abs_error', 0.9) }} as abs_error_p90,
        {{ d.percentile('abs_error', 0.99) }} as abs_error_p99
    from errors
    group by {{ group_keys }}, output
),

per_output_metrics as (
{% for metric, value, sample_size in regression.metrics %}
    select
        {{ group_keys }},
        '{{ metric }}' as metric,
        output as qualifier,
        {{ d.toDouble(value) }} as value,
        cast({{ sample_size }} as {{ d.types.bigint }}) as sample_size,
        n
    from summary
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
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
{% endif %}

{#-
  Rows of the metric table, as every problem type's metric and data-quality steps end (models/write.sql
  adds the monitor, window_end, run_id and computed_at): one select per metric of `metrics`, each
  [name, value, sample size] with the value and sample size as SQL over the relation `from` (the
  sample size `sample_size` where a metric has none of its own), joined by union all. Here, and only here, a metric row gets its columns and types: the value a double,
  the sample size a bigint, the qualifier NULL unless `qualifier` (SQL: a regression's output, a
  class) is given.
  `keys` are the group's columns (a slice's by default); `where` filters `from`'s rows; `group_by`
  makes each row an aggregate;
  `extra` is SQL for columns after the row's own, for a CTE that reads them; `union_after` ends with
  union all, for the rows that follow.
-#}
{% macro metric_rows(metrics, from, sample_size=none, qualifier=none, keys='granularity, window_start, model_version, segment, segment_value', where=none, group_by=none, extra=none, union_after=false) %}
{% for metric, value, own_sample_size in metrics %}
select
    {{ keys }},
    {{ d.string(metric) }} as metric,
    {{ qualifier or 'cast(null as ' + d.types.text + ')' }} as qualifier,
    {{ d.toDouble(value) }} as value,
    cast({{ own_sample_size or sample_size }} as {{ d.types.bigint }}) as sample_size{{ (',\n    ' + extra) if extra }}
from {{ from }}
{% if where %}
where {{ where }}
{% endif %}
{% if group_by %}
group by {{ group_by }}
{% endif %}
{% if union_after or not loop.last %}
union all
{% endif %}
{% endfor %}
{%- endmacro %}

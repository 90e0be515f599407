{#-
  Exact percentiles (linear interpolation) of `expr` per group, as the last select columns `names` (one
  per fraction of `fractions`) and the FROM of `source`, named `alias`: aggregates where the warehouse
  has a percentile aggregate; else (BigQuery, whose PERCENTILE_CONT is only a window function)
  window functions over the group (`partition`, what goes after `partition by`) in a subquery, and
  max() of each, one value per group. An aggregate made of an array of the group's values would be one
  row, which BigQuery limits to 100 MB: some ten million values.
-#}
{% macro percentiles_from(expr, fractions, names, partition, source, alias) %}
{% if d.capabilities.aggregatePercentile %}
{% set quantiles = d.percentiles(expr, fractions) %}
{% for name in names %}
        {{ quantiles[loop.index0] }} as {{ name }}{{ ',' if not loop.last }}
{% endfor %}
    from {{ source }} as {{ alias }}
{%- else %}
{% for name in names %}
        max({{ alias }}.{{ name }}) as {{ name }}{{ ',' if not loop.last }}
{% endfor %}
    from (
        select
            {{ alias }}.*,
{% for name in names %}
            {{ d.percentileOver(expr, fractions[loop.index0], partition) }} as {{ name }}{{ ',' if not loop.last }}
{% endfor %}
        from {{ source }} as {{ alias }}
    ) as {{ alias }}
{%- endif %}
{% endmacro %}

{#- Where a monitor reads from: a table or view, or the team's own query kept as written. -#}
{% macro source(src, depth=1) -%}
{% if src.relation %}{{ d.relation(src.relation) }}{% else %}(
{{ src.sql | indent(4 * depth + 4, true) }}
{{ ' '.repeat(4 * depth) }}) as source{% endif %}
{%- endmacro %}

{#- `a.k1 = b.k1 and a.k2 = b.k2` over the prediction key. -#}
{% macro key_match(left, right) -%}
{% for k in m.predictions.key %}{{ left }}.{{ d.quote(k) }} = {{ right }}.{{ d.quote(k) }}{% if not loop.last %} and {% endif %}{% endfor %}
{%- endmacro %}

{#- The prediction key columns as a comma-separated list, optionally qualified. -#}
{% macro key_list(prefix='') -%}
{% for k in m.predictions.key %}{{ prefix }}{{ d.quote(k) }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

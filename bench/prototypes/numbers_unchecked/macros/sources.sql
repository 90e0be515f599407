{#- Where a monitor reads from: a table or view, or the team's own query kept as written. -#}
{% macro source(src, depth=1) -%}
{% if src.relation %}{{ d.relation(src.relation) }}{% else %}(
{{ src.sql | indent(4 * depth + 4, true) }}
{{ ' '.repeat(4 * depth) }}) as source{% endif %}
{%- endmacro %}

{#-
  The predictions' `where:` as a condition, in parentheses: the closing one on a line of its own
  (at `indent`) when the condition holds a comment, which would otherwise swallow it (one that
  src/config/sql-text.ts could not drop, where the warehouse decides how a string ends).
-#}
{% macro predictions_where(indent) -%}
{% set w = m.predictions.where %}
({{ w }}{{ ('\n' + indent + ')') if ('--' in w or '#' in w or '/*' in w) else ')' }}
{%- endmacro %}

{#- `a.k1 = b.k1 and a.k2 = b.k2` over the prediction key. -#}
{% macro key_match(left, right) -%}
{% for k in m.predictions.key %}{{ left }}.{{ d.quote(k) }} = {{ right }}.{{ d.quote(k) }}{% if not loop.last %} and {% endif %}{% endfor %}
{%- endmacro %}

{#- The prediction key columns as a comma-separated list, optionally qualified. -#}
{% macro key_list(prefix='') -%}
{% for k in m.predictions.key %}{{ prefix }}{{ d.quote(k) }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{#- A value column's name in hindsight's tables: fixed names bare, the user's column names quoted. -#}
{% macro name(v) -%}
{{ v.alias if v.internal else d.quote(v.alias) }}
{%- endmacro %}

{#-
  A value column read from the user's table, typed for hindsight; numbers as before the thirty-third
  session's checks (d.toScore, d.toFiniteNumber), for compare.ts (docs/performance.md).
-#}
{% macro read(v) -%}
{% if v.kind == 'number' %}{{ d.toDouble(d.quote(v.column)) }}{% elif v.kind == 'probability' %}{{ d.toProbability(d.quote(v.column), v.configKey) }}{% elif v.kind == 'label01' %}{{ d.toLabel(d.quote(v.column), v.configKey) }}{% else %}{{ d.toText(d.quote(v.column)) }}{% endif %}
{%- endmacro %}

{#- Sort order that prefers the higher value: numbers descending, text descending byte by byte. -#}
{% macro higher_first(expr, v) -%}
{% if v.kind == 'text' %}{{ d.binaryCollate(expr) }}{% else %}{{ expr }}{% endif %} desc nulls last
{%- endmacro %}

{#-
  Helpers of the recommendation pipeline (docs/semantics.md §5e). `m.recommendation` holds the
  list, match and interaction columns; the request key is m.predictions.key (macros/sources.sql's
  key_list and key_match work on it).
-#}

{#- The match columns (the user or session) as a comma-separated list, optionally qualified. -#}
{% macro match_list(prefix='') -%}
{% for c in m.recommendation.match %}{{ prefix }}{{ d.quote(c) }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{#- `a.m1 = b.m1 and …` over the match columns. -#}
{% macro match_on(left, right) -%}
{% for c in m.recommendation.match %}{{ left }}.{{ d.quote(c) }} = {{ right }}.{{ d.quote(c) }}{% if not loop.last %} and {% endif %}{% endfor %}
{%- endmacro %}

{#- The request key as one text (columns joined by |): what the personalization sample hashes. -#}
{% macro key_text(prefix='') -%}
{% for k in m.predictions.key %}{{ d.toText(prefix + d.quote(k)) }}{% if not loop.last %} || '|' || {% endif %}{% endfor %}
{%- endmacro %}

{#- log2 of a positive number, as a double (ln / ln 2 works on every warehouse). -#}
{% macro log2(expr) -%}
(ln({{ d.toDouble(expr) }}) / ln({{ d.toDouble('2') }}))
{%- endmacro %}

{#- List order (§5e Requests 4): rank ascending, then score descending, then the item byte by byte. -#}
{% macro list_order(prefix='') -%}
{{ prefix }}list_rank{% if m.recommendation.score %}, {{ prefix }}score desc nulls last{% endif %}, {{ d.binaryCollate(prefix + 'item') }}
{%- endmacro %}

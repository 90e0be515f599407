{#-
  The rank-type windows behind exact ranking metrics (ROC AUC, average precision, KS): over the rows
  of each `partition`, ordered by score, the rows scored below each row (`lt`), at or below it (`le`)
  and in all (`total`). rank() and count(*) over a range frame (`d.peersFrame`, which Postgres leaves
  implicit so that both share one window pass) come from the sort alone, where a
  running sum() needs a segment tree (measured 0.48x of the binary metric step's CPU on DuckDB; with
  integer keys, 0.14x of the multiclass step's: docs/performance.md). Ties share their counts.
-#}
{% macro rank_counts(partition, lt, le, total) -%}
rank() over (partition by {{ partition }} order by score) - 1 as {{ lt }},
        count(*) over (partition by {{ partition }} order by score{{ d.peersFrame }}) as {{ le }},
        count(*) over (partition by {{ partition }}) as {{ total }}
{%- endmacro %}

{#-
  The ordered pass behind exact ranking metrics (ROC AUC, average precision, KS): `scores` has one
  row per distinct score of each group with `pos` and `neg` counts; this adds the cumulative counts
  up to and including each score and the group's totals. One sort per group, shared by all metrics.
-#}
{% macro cumulative_counts(scores, keys) %}
    select
        {{ scores }}.*,
        sum(pos) over (partition by {{ keys }} order by score rows between unbounded preceding and current row) as pos_le,
        sum(neg) over (partition by {{ keys }} order by score rows between unbounded preceding and current row) as neg_le,
        sum(pos) over (partition by {{ keys }}) as positives,
        sum(neg) over (partition by {{ keys }}) as negatives
    from {{ scores }}
{%- endmacro %}

{#- Twice the pairs a positive wins at its score (a tie counts one half), in integers. -#}
{% macro auc_pairs_x2() -%}
pos * (2 * (neg_le - neg) + neg)
{%- endmacro %}

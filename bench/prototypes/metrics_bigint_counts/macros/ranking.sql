{#-
  The ordered pass behind exact ranking metrics (ROC AUC, average precision, KS): `scores` has one
  row per distinct score of each group with `pos` and `neg` counts; this adds the cumulative counts
  up to and including each score and the group's totals. One sort per group, shared by all metrics.
-#}
{% macro cumulative_counts(scores, keys) %}
    select
        {{ scores }}.*,
        -- PROTOTYPE: one window (one partitioning and one sort) for the running sums and the totals;
        -- integer results stay bigint
        cast(sum(pos) over (partition by {{ keys }} order by score rows between unbounded preceding and current row) as {{ d.types.bigint }}) as pos_le,
        cast(sum(neg) over (partition by {{ keys }} order by score rows between unbounded preceding and current row) as {{ d.types.bigint }}) as neg_le,
        cast(sum(pos) over (partition by {{ keys }} order by score rows between unbounded preceding and unbounded following) as {{ d.types.bigint }}) as positives,
        cast(sum(neg) over (partition by {{ keys }} order by score rows between unbounded preceding and unbounded following) as {{ d.types.bigint }}) as negatives
    from {{ scores }}
{%- endmacro %}

{#- Twice the pairs a positive wins at its score (a tie counts one half), in integers. -#}
{% macro auc_pairs_x2() -%}
pos * (2 * (neg_le - neg) + neg)
{%- endmacro %}

{% import "macros/slices.sql" as slices with context %}
{% import "macros/binary_classification.sql" as binary with context %}
{% set group_keys = 'window_start, slice_key' %}
-- Binary-classification metrics of monitor {{ m.name }} (threshold {{ m.threshold }}), per window,
-- model version and slice. Exact ranking metrics (ROC AUC, average precision, KS) come from the
-- ranks of each row in its group; formulas are in macros/binary_classification.sql.
-- Sums of doubles are exact, in integer units of 1e-15 (d.femtoSum: every addend here is below 35),
-- so that the values never depend on row order.
-- Groups are keyed by integers until the last step (slice keys: macros/slices.sql).
with {% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks() }}
),

{% endif %}model_versions as (
{{ slices.model_versions() }}
),

sliced as (
{{ slices.keyed_rows(['score', 'label'], 'evaluated.label is not null and evaluated.score is not null') }}
),

-- Rank-type windows give every cumulative count the ranking metrics need, ties included:
--   cnt_lt / cnt_le: rows of the group scored below / at or below this row's score
--   pos_lt / pos_le: positives of the group scored below / at or below it (on positive rows only)
-- rank() and count(*) over a range frame come from the sort alone, where a running sum() needs a
-- segment tree (measured 0.48x of the metric step's CPU on DuckDB: docs/performance.md).
ranked as (
    select
        {{ group_keys }},
        score,
        label,
        rank() over (partition by {{ group_keys }} order by score) - 1 as cnt_lt,
        count(*) over (partition by {{ group_keys }} order by score range between unbounded preceding and current row) as cnt_le,
        count(*) over (partition by {{ group_keys }}) as n_all{{ ',' if not d.capabilities.reusesCommonTableExpressions }}
{% if not d.capabilities.reusesCommonTableExpressions %}
        -- {{ d.name }} would compute `ranked` once per reference: rank every row by label instead
        rank() over (partition by {{ group_keys }}, label order by score) - 1 as pos_lt,
        count(*) over (partition by {{ group_keys }}, label order by score range between unbounded preceding and current row) as pos_le,
        count(*) over (partition by {{ group_keys }}, label) as positives
{% endif %}
    from sliced
),

{% if d.capabilities.reusesCommonTableExpressions %}
-- The second sort only needs the positives: every ranking metric sums or maximizes over them (KS's
-- maximum over all scores is reached at a positive's score, or is 0). Cheaper the rarer they are.
curve as (
    select
        {{ group_keys }}, score, label, cnt_lt, cnt_le, n_all,
        rank() over (partition by {{ group_keys }} order by score) - 1 as pos_lt,
        count(*) over (partition by {{ group_keys }} order by score range between unbounded preceding and current row) as pos_le,
        count(*) over (partition by {{ group_keys }}) as positives
    from ranked
    where label = 1
    union all
    select
        {{ group_keys }}, score, label, cnt_lt, cnt_le, n_all,
        cast(null as {{ d.types.bigint }}), cast(null as {{ d.types.bigint }}), cast(null as {{ d.types.bigint }})
    from ranked
    where label = 0
),
{% else %}
curve as (
    select * from ranked
),
{% endif %}

-- the ten calibration bins of each group
bins as (
    select
        {{ group_keys }},
        least(greatest(floor(score * 10), 0), 9) as bin,
        count(*) as n,
        sum(label) as n_positive,
        -- the bin's positives in the units of sum_score, so that |positives - scores| stays exact
        {{ d.femtoSum('label') }} as bin_pos,
        {{ d.femtoSum('score') }} as sum_score,
        sum(case when score >= {{ d.number(m.threshold) }} then label else 0 end) as tp,
        sum(case when score >= {{ d.number(m.threshold) }} then 1 - label else 0 end) as fp,
        -- twice the pairs a positive wins (a tie counts one half): negatives below plus negatives at or below
        sum(case when label = 1 then (cnt_lt - pos_lt) + (cnt_le - pos_le) else 0 end) as auc_pairs_x2,
        -- each positive at score s adds precision(score >= s)
        {{ d.femtoSum('case when label = 1 then ' + d.divide('positives - pos_lt', 'n_all - cnt_lt') + ' else 0 end') }} as ap_sum,
        -- TPR - FPR at threshold score >= s, at each positive's score s
        max(case when label = 1 then {{ d.divide('positives - pos_lt', 'positives') }} - {{ d.divide('(n_all - positives) - (cnt_lt - pos_lt)', 'n_all - positives') }} end) as ks_max,
        {{ d.femtoSum('case when label = 1 then - ln(least(greatest(score, 1e-15), 1 - 1e-15)) else - ln(1 - least(greatest(score, 1e-15), 1 - 1e-15)) end') }} as log_loss_sum,
        {{ d.femtoSum('(score - label) * (score - label)') }} as brier_sum
    from curve
    group by {{ group_keys }}, least(greatest(floor(score * 10), 0), 9)
),

summary as (
    select
        {{ group_keys }},
        sum(n_positive) as positives,
        sum(n) - sum(n_positive) as negatives,
        sum(n) as n,
        {{ d.toDouble('sum(sum_score)') }} / 1e15 as sum_score,
        sum(tp) as tp,
        sum(fp) as fp,
        sum(auc_pairs_x2) as auc_pairs_x2,
        {{ d.toDouble('sum(ap_sum)') }} / 1e15 as ap_sum,
        max(ks_max) as ks_max,
        {{ d.toDouble('sum(log_loss_sum)') }} / 1e15 as log_loss_sum,
        {{ d.toDouble('sum(brier_sum)') }} / 1e15 as brier_sum,
        {{ d.toDouble('sum(abs(bin_pos - sum_score))') }} / 1e15 as ece_gap_sum
    from bins
    group by {{ group_keys }}
),

named_groups as (
{{ slices.slice_groups('summary', ['positives', 'negatives', 'n', 'sum_score', 'tp', 'fp', 'auc_pairs_x2', 'ap_sum', 'ks_max', 'log_loss_sum', 'brier_sum', 'ece_gap_sum']) }}
)

{% for metric, value in binary.metrics %}
select
    granularity, window_start, model_version, segment, segment_value,
    '{{ metric }}' as metric,
    cast(null as {{ d.types.text }}) as qualifier,
    {{ d.toDouble(value) }} as value,
    cast(n as {{ d.types.bigint }}) as sample_size
from named_groups
{% if not loop.last %}
union all
{% endif %}
{% endfor %}

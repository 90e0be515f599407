{% import "macros/slices.sql" as slices with context %}
{% import "macros/binary_classification.sql" as binary with context %}
{% import "macros/ranking.sql" as ranking with context %}
{% set group_keys = 'granularity, window_start, model_version, segment, segment_value' %}
-- Binary-classification metrics of monitor {{ m.name }} (threshold {{ m.threshold }}), per window,
-- model version and slice. Exact ranking metrics (ROC AUC, average precision, KS) come from one
-- ordered pass over the distinct scores of each group; formulas are in macros/binary_classification.sql.
-- Sums of doubles are exact (d.exactSum) so that the values never depend on row order.
with {% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks() }}
),

{% endif %}sliced as (
{{ slices.sliced_rows(['score', 'label'], 'evaluated.label is not null and evaluated.score is not null') }}
),

-- one row per distinct score in each group
scores as (
    select
        {{ group_keys }},
        score,
        -- PROTOTYPE: bigint counts (DuckDB's sum(integer) is a HUGEINT, and so is every sum over it)
        count(case when label = 1 then 1 end) as pos,
        count(*) - count(case when label = 1 then 1 end) as neg
    from sliced
    group by {{ group_keys }}, score
),

-- cumulative counts up to and including each score, and the group's totals
curve as (
{{ ranking.cumulative_counts('scores', group_keys) }}
),

-- the ten calibration bins of each group (scores are ordered, so a bin is a run of distinct scores)
bins as (
    select
        {{ group_keys }},
        least(greatest(floor(score * 10), 0), 9) as bin,
        max(positives) as positives,
        max(negatives) as negatives,
        sum(pos + neg) as n,
        sum(pos) as bin_pos,
        {{ d.exactSum('score * (pos + neg)') }} as sum_score,
        sum(case when score >= {{ d.number(m.threshold) }} then pos else 0 end) as tp,
        sum(case when score >= {{ d.number(m.threshold) }} then neg else 0 end) as fp,
        -- twice the pairs a positive wins (a tie counts one half), kept in integers
        sum({{ ranking.auc_pairs_x2() }}) as auc_pairs_x2,
        -- at threshold s: true positives = positives - pos_le + pos, false positives likewise
        {{ d.exactSum('pos * ' + d.divide('positives - pos_le + pos', 'positives - pos_le + pos + negatives - neg_le + neg')) }} as ap_sum,
        max({{ d.divide('positives - pos_le + pos', 'positives') }} - {{ d.divide('negatives - neg_le + neg', 'negatives') }}) as ks_max,
        {{ d.exactSum('- pos * ln(least(greatest(score, 1e-15), 1 - 1e-15)) - neg * ln(1 - least(greatest(score, 1e-15), 1 - 1e-15))') }} as log_loss_sum,
        {{ d.exactSum('pos * (score - 1) * (score - 1) + neg * score * score') }} as brier_sum
    from curve
    group by {{ group_keys }}, least(greatest(floor(score * 10), 0), 9)
),

summary as (
    select
        {{ group_keys }},
        max(positives) as positives,
        max(negatives) as negatives,
        sum(n) as n,
        sum(sum_score) as sum_score,
        sum(tp) as tp,
        sum(fp) as fp,
        sum(auc_pairs_x2) as auc_pairs_x2,
        sum(ap_sum) as ap_sum,
        max(ks_max) as ks_max,
        sum(log_loss_sum) as log_loss_sum,
        sum(brier_sum) as brier_sum,
        sum(abs(bin_pos - sum_score)) as ece_gap_sum
    from bins
    group by {{ group_keys }}
)

{% for metric, value in binary.metrics %}
select
    {{ group_keys }},
    '{{ metric }}' as metric,
    cast(null as {{ d.types.text }}) as qualifier,
    {{ d.toDouble(value) }} as value,
    cast(n as {{ d.types.bigint }}) as sample_size
from summary
{% if not loop.last %}
union all
{% endif %}
{% endfor %}

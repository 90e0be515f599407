-- Multiclass-classification metrics of monitor favorite_category, per window, model version and slice:
-- window-level rows, per-class rows (qualifier = class) and the confusion matrix (qualifier =
-- actual→predicted). Formulas are in macros/multiclass_classification.sql.
with segment_ranks as (
    select
        'week' as granularity,
        'customer_type' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value
        ) as value_rank
    from (
        select date_trunc('week', predicted_at) as window_start, "customer_type" as segment_value
        from "hindsight"."hs_favorite_category__evaluations_00000000"
        where "customer_type" is not null
    ) as segment_values
    group by window_start, segment_value
    union all
    select
        'week' as granularity,
        'region' as segment,
        window_start,
        segment_value,
        2 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value
        ) as value_rank
    from (
        select date_trunc('week', predicted_at) as window_start, "region" as segment_value
        from "hindsight"."hs_favorite_category__evaluations_00000000"
        where "region" is not null
    ) as segment_values
    group by window_start, segment_value

),

sliced as (
    select
        'week' as granularity,
        date_trunc('week', evaluated.predicted_at) as window_start,
        evaluated.model_version,
        cast(null as varchar) as segment,
        cast(null as varchar) as segment_value,
        evaluated.predicted_class, evaluated.label, evaluated."p_shirt", evaluated."p_pants", evaluated."p_dress", evaluated."p_knitwear", evaluated."p_outerwear"
    from "hindsight"."hs_favorite_category__evaluations_00000000" as evaluated
    where evaluated.label_status = 'observed' and evaluated.predicted_class is not null
    union all
    select
        'week',
        date_trunc('week', evaluated.predicted_at),
        evaluated.model_version,
        'customer_type',
        case
            when evaluated."customer_type" is null then null
            when ranks.value_rank <= 50 then evaluated."customer_type"
            else '__other__'
        end,
        evaluated.predicted_class, evaluated.label, evaluated."p_shirt", evaluated."p_pants", evaluated."p_dress", evaluated."p_knitwear", evaluated."p_outerwear"
    from "hindsight"."hs_favorite_category__evaluations_00000000" as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'week'
        and ranks.segment = 'customer_type'
        and ranks.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks.segment_value = evaluated."customer_type"
    where evaluated.label_status = 'observed' and evaluated.predicted_class is not null
    union all
    select
        'week',
        date_trunc('week', evaluated.predicted_at),
        evaluated.model_version,
        'region',
        case
            when evaluated."region" is null then null
            when ranks.value_rank <= 50 then evaluated."region"
            else '__other__'
        end,
        evaluated.predicted_class, evaluated.label, evaluated."p_shirt", evaluated."p_pants", evaluated."p_dress", evaluated."p_knitwear", evaluated."p_outerwear"
    from "hindsight"."hs_favorite_category__evaluations_00000000" as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'week'
        and ranks.segment = 'region'
        and ranks.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks.segment_value = evaluated."region"
    where evaluated.label_status = 'observed' and evaluated.predicted_class is not null

),

-- how often each class present in a group is the label, the prediction, and both
per_class as (
    select
        granularity, window_start, model_version, segment, segment_value,
        class,
        sum(sum(is_label)) over (partition by granularity, window_start, model_version, segment, segment_value) as n,
        sum(is_label) as support,
        sum(is_predicted) as predicted_count,
        sum(is_hit) as tp
    from (
        select granularity, window_start, model_version, segment, segment_value, label as class, 1 as is_label, 0 as is_predicted, case when label = predicted_class then 1 else 0 end as is_hit
        from sliced
        union all
        select granularity, window_start, model_version, segment, segment_value, predicted_class, 0, 1, 0
        from sliced
    ) as class_rows
    group by granularity, window_start, model_version, segment, segment_value, class
),

confusion as (
    select granularity, window_start, model_version, segment, segment_value, label, predicted_class, count(*) as pairs, sum(count(*)) over (partition by granularity, window_start, model_version, segment, segment_value) as n
    from sliced
    group by granularity, window_start, model_version, segment, segment_value, label, predicted_class
),

-- scores renormalized to sum 1 on the rows where they are usable (none NULL, a non-zero total);
-- p_true is the true class's probability (0 for a class without a score column)
scored as (
    select
        granularity, window_start, model_version, segment, segment_value,
        label,
        predicted_class,
        usable,
        case when usable = 1 then "p_shirt" / total end as p_1,
        case when usable = 1 then "p_pants" / total end as p_2,
        case when usable = 1 then "p_dress" / total end as p_3,
        case when usable = 1 then "p_knitwear" / total end as p_4,
        case when usable = 1 then "p_outerwear" / total end as p_5,
        case when usable = 1 then
            case label
                when 'shirt' then "p_shirt" / total
                when 'pants' then "p_pants" / total
                when 'dress' then "p_dress" / total
                when 'knitwear' then "p_knitwear" / total
                when 'outerwear' then "p_outerwear" / total
                else 0
            end
        end as p_true,
        case when label in ('shirt', 'pants', 'dress', 'knitwear', 'outerwear') then 1 else 0 end as has_score
    from (
        select
            sliced.*,
"p_shirt" + "p_pants" + "p_dress" + "p_knitwear" + "p_outerwear" as total,
            case when "p_shirt" is not null and "p_pants" is not null and "p_dress" is not null and "p_knitwear" is not null and "p_outerwear" is not null and "p_shirt" + "p_pants" + "p_dress" + "p_knitwear" + "p_outerwear" <> 0 then 1 else 0 end as usable
        from sliced
    ) as with_total
),

-- every group gets these rows; with no usable scores their values are NULL
score_summary as (
    select
        granularity, window_start, model_version, segment, segment_value,
        sum(usable) as n_scored,
        sum(cast(case when usable = 1 then -ln(least(greatest(p_true, 1e-15), 1 - 1e-15)) end as decimal(38, 15))) as log_loss_sum,
        -- squared error over the scored classes, plus 1 for a true class without a score column
        sum(cast((p_1 - case when label = 'shirt' then 1 else 0 end) * (p_1 - case when label = 'shirt' then 1 else 0 end) + (p_2 - case when label = 'pants' then 1 else 0 end) * (p_2 - case when label = 'pants' then 1 else 0 end) + (p_3 - case when label = 'dress' then 1 else 0 end) * (p_3 - case when label = 'dress' then 1 else 0 end) + (p_4 - case when label = 'knitwear' then 1 else 0 end) * (p_4 - case when label = 'knitwear' then 1 else 0 end) + (p_5 - case when label = 'outerwear' then 1 else 0 end) * (p_5 - case when label = 'outerwear' then 1 else 0 end) + (1 - has_score) as decimal(38, 15))) as brier_sum,
        sum(case when usable = 1 and has_score = 1 and case when p_1 > p_true then 1 else 0 end + case when p_2 > p_true then 1 else 0 end + case when p_3 > p_true then 1 else 0 end + case when p_4 > p_true then 1 else 0 end + case when p_5 > p_true then 1 else 0 end < 2 then 1 else 0 end) as top_2_hits,
        sum(case when usable = 1 and has_score = 1 and case when p_1 > p_true then 1 else 0 end + case when p_2 > p_true then 1 else 0 end + case when p_3 > p_true then 1 else 0 end + case when p_4 > p_true then 1 else 0 end + case when p_5 > p_true then 1 else 0 end < 3 then 1 else 0 end) as top_3_hits
    from scored
    group by granularity, window_start, model_version, segment, segment_value
),

-- one-vs-rest on the usable rows: each row once per scored class, positive when it is its label
class_scores as (
    select granularity, window_start, model_version, segment, segment_value, class, score, sum(pos) as pos, count(*) - sum(pos) as neg
    from (
        select granularity, window_start, model_version, segment, segment_value, 'shirt' as class, p_1 as score, case when label = 'shirt' then 1 else 0 end as pos
        from scored
        where usable = 1
        union all
        select granularity, window_start, model_version, segment, segment_value, 'pants' as class, p_2 as score, case when label = 'pants' then 1 else 0 end as pos
        from scored
        where usable = 1
        union all
        select granularity, window_start, model_version, segment, segment_value, 'dress' as class, p_3 as score, case when label = 'dress' then 1 else 0 end as pos
        from scored
        where usable = 1
        union all
        select granularity, window_start, model_version, segment, segment_value, 'knitwear' as class, p_4 as score, case when label = 'knitwear' then 1 else 0 end as pos
        from scored
        where usable = 1
        union all
        select granularity, window_start, model_version, segment, segment_value, 'outerwear' as class, p_5 as score, case when label = 'outerwear' then 1 else 0 end as pos
        from scored
        where usable = 1
    ) as one_vs_rest
    group by granularity, window_start, model_version, segment, segment_value, class, score
),

curve as (
    select
        class_scores.*,
        sum(pos) over (partition by granularity, window_start, model_version, segment, segment_value, class order by score rows between unbounded preceding and current row) as pos_le,
        sum(neg) over (partition by granularity, window_start, model_version, segment, segment_value, class order by score rows between unbounded preceding and current row) as neg_le,
        sum(pos) over (partition by granularity, window_start, model_version, segment, segment_value, class) as positives,
        sum(neg) over (partition by granularity, window_start, model_version, segment, segment_value, class) as negatives
    from class_scores
),

class_auc as (
    select
        granularity, window_start, model_version, segment, segment_value,
        class,
        cast(sum(pos * (2 * (neg_le - neg) + neg)) as double) / nullif(2 * cast(max(positives) as double) * max(negatives), 0) as roc_auc
    from curve
    group by granularity, window_start, model_version, segment, segment_value, class
),

-- per class present in a group: the counting metrics, and its ROC AUC when it has a score column
per_class_values as (
    select
        granularity, window_start, model_version, segment, segment_value,
        class,
        max(n) as n,
        max(support) as support,
        max(predicted_count) as predicted_count,
        max(tp) as tp,
        max(roc_auc) as roc_auc,
        max(has_score_column) as has_score_column
    from (
        select granularity, window_start, model_version, segment, segment_value, class, n, support, predicted_count, tp, cast(null as double) as roc_auc,
            case when class in ('shirt', 'pants', 'dress', 'knitwear', 'outerwear') then 1 else 0 end as has_score_column
        from per_class
        union all
        select granularity, window_start, model_version, segment, segment_value, class, null, null, null, null, roc_auc, 1
        from class_auc
    ) as class_parts
    group by granularity, window_start, model_version, segment, segment_value, class
    -- a scored class that is neither a label nor a prediction of the group has no rows
    having max(class_parts.n) is not null
),

per_class_metrics as (
    select
        per_class_values.*,
        cast(cast(tp as double) / nullif(predicted_count, 0) as double) as precision,
        cast(cast(tp as double) / nullif(support, 0) as double) as recall,
        cast(cast(2 * tp as double) / nullif(predicted_count + support, 0) as double) as f1
    from per_class_values
),

-- the score-based window rows: the sums over usable rows, and the one-vs-rest macro average over
-- the classes present in the labels that have a score column (NULL with fewer than two, or when
-- one of them has no AUC because its label rows had no usable scores)
score_rows as (
    select
        granularity, window_start, model_version, segment, segment_value,
        max(n_scored) as n_scored,
        max(log_loss_sum) as log_loss_sum,
        max(brier_sum) as brier_sum,
        max(top_2_hits) as top_2_hits,
        max(top_3_hits) as top_3_hits,
        max(auc_classes) as auc_classes,
        max(auc_defined) as auc_defined,
        max(auc_sum) as auc_sum
    from (
        select
            granularity, window_start, model_version, segment, segment_value, n_scored, log_loss_sum, brier_sum, top_2_hits, top_3_hits,
            null as auc_classes, null as auc_defined, null as auc_sum
        from score_summary
        union all
        select
            granularity, window_start, model_version, segment, segment_value, null, null, null, null, null,
            count(case when support > 0 and has_score_column = 1 then 1 end),
            count(case when support > 0 and has_score_column = 1 then roc_auc end),
            sum(cast(case when support > 0 and has_score_column = 1 then roc_auc end as decimal(38, 15)))
        from per_class_metrics
        group by granularity, window_start, model_version, segment, segment_value
    ) as parts
    group by granularity, window_start, model_version, segment, segment_value
)
select granularity, window_start, model_version, segment, segment_value, 'precision' as metric, class as qualifier, precision as value, cast(n as bigint) as sample_size
from per_class_metrics
union all
select granularity, window_start, model_version, segment, segment_value, 'recall' as metric, class as qualifier, recall as value, cast(n as bigint) as sample_size
from per_class_metrics
union all
select granularity, window_start, model_version, segment, segment_value, 'f1' as metric, class as qualifier, f1 as value, cast(n as bigint) as sample_size
from per_class_metrics
union all
select granularity, window_start, model_version, segment, segment_value, 'support' as metric, class as qualifier, support as value, cast(n as bigint) as sample_size
from per_class_metrics
union all
select granularity, window_start, model_version, segment, segment_value, 'predicted_count' as metric, class as qualifier, predicted_count as value, cast(n as bigint) as sample_size
from per_class_metrics
union all
select granularity, window_start, model_version, segment, segment_value, 'roc_auc', class, roc_auc, cast(n as bigint)
from per_class_metrics
union all
select granularity, window_start, model_version, segment, segment_value, 'count', cast(null as varchar), cast(max(n) as double), cast(max(n) as bigint)
from per_class_metrics
group by granularity, window_start, model_version, segment, segment_value
union all
select granularity, window_start, model_version, segment, segment_value, 'accuracy', cast(null as varchar), cast(cast(sum(tp) as double) / nullif(max(n), 0) as double), cast(max(n) as bigint)
from per_class_metrics
group by granularity, window_start, model_version, segment, segment_value
union all
select granularity, window_start, model_version, segment, segment_value, 'balanced_accuracy', cast(null as varchar), cast(cast(sum(cast(recall as decimal(38, 15))) as double) / nullif(count(recall), 0) as double), cast(max(n) as bigint)
from per_class_metrics
group by granularity, window_start, model_version, segment, segment_value
union all
select granularity, window_start, model_version, segment, segment_value, 'precision_macro', cast(null as varchar), cast(cast(sum(cast(precision as decimal(38, 15))) as double) / nullif(count(precision), 0) as double), cast(max(n) as bigint)
from per_class_metrics
group by granularity, window_start, model_version, segment, segment_value
union all
select granularity, window_start, model_version, segment, segment_value, 'recall_macro', cast(null as varchar), cast(cast(sum(cast(recall as decimal(38, 15))) as double) / nullif(count(recall), 0) as double), cast(max(n) as bigint)
from per_class_metrics
group by granularity, window_start, model_version, segment, segment_value
union all
select granularity, window_start, model_version, segment, segment_value, 'f1_macro', cast(null as varchar), cast(cast(sum(cast(f1 as decimal(38, 15))) as double) / nullif(count(f1), 0) as double), cast(max(n) as bigint)
from per_class_metrics
group by granularity, window_start, model_version, segment, segment_value
union all
select granularity, window_start, model_version, segment, segment_value, 'precision_weighted', cast(null as varchar), cast(cast(sum(cast(support * precision as decimal(38, 15))) as double) / nullif(sum(case when precision is not null then support end), 0) as double), cast(max(n) as bigint)
from per_class_metrics
group by granularity, window_start, model_version, segment, segment_value
union all
select granularity, window_start, model_version, segment, segment_value, 'recall_weighted', cast(null as varchar), cast(cast(sum(cast(support * recall as decimal(38, 15))) as double) / nullif(sum(case when recall is not null then support end), 0) as double), cast(max(n) as bigint)
from per_class_metrics
group by granularity, window_start, model_version, segment, segment_value
union all
select granularity, window_start, model_version, segment, segment_value, 'f1_weighted', cast(null as varchar), cast(cast(sum(cast(support * f1 as decimal(38, 15))) as double) / nullif(sum(case when f1 is not null then support end), 0) as double), cast(max(n) as bigint)
from per_class_metrics
group by granularity, window_start, model_version, segment, segment_value
union all
select granularity, window_start, model_version, segment, segment_value, 'cohen_kappa', cast(null as varchar), cast((cast(sum(tp) as double) / nullif(max(n), 0) - cast(sum(support * predicted_count) as double) / nullif(max(n) * max(n), 0)) / nullif(1 - cast(sum(support * predicted_count) as double) / nullif(max(n) * max(n), 0), 0) as double), cast(max(n) as bigint)
from per_class_metrics
group by granularity, window_start, model_version, segment, segment_value
union all
select granularity, window_start, model_version, segment, segment_value, 'log_loss', cast(null as varchar), cast(cast(log_loss_sum as double) / nullif(n_scored, 0) as double), cast(n_scored as bigint)
from score_rows
union all
select granularity, window_start, model_version, segment, segment_value, 'brier_score', cast(null as varchar), cast(cast(brier_sum as double) / nullif(n_scored, 0) as double), cast(n_scored as bigint)
from score_rows
union all
select granularity, window_start, model_version, segment, segment_value, 'roc_auc_ovr_macro', cast(null as varchar), cast(case when auc_classes >= 2 and auc_defined = auc_classes then cast(auc_sum as double) / nullif(auc_classes, 0) end as double), cast(n_scored as bigint)
from score_rows
union all
select granularity, window_start, model_version, segment, segment_value, 'top_2_accuracy', cast(null as varchar), cast(cast(top_2_hits as double) / nullif(n_scored, 0) as double), cast(n_scored as bigint)
from score_rows
union all
select granularity, window_start, model_version, segment, segment_value, 'top_3_accuracy', cast(null as varchar), cast(cast(top_3_hits as double) / nullif(n_scored, 0) as double), cast(n_scored as bigint)
from score_rows
union all
select granularity, window_start, model_version, segment, segment_value, 'confusion', label || '→' || predicted_class, cast(pairs as double), cast(n as bigint)
from confusion

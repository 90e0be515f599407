-- Multiclass-classification metrics of monitor favorite_category, per window, model version and slice:
-- window-level rows, per-class rows (qualifier = class) and the confusion matrix (qualifier =
-- actual→predicted). Formulas are in macros/multiclass_classification.sql.
-- Groups are keyed by one bigint (group_key, macros/slices.sql) until the last step, which names
-- them. With the rank-type windows below, the step took 0.14x of the CPU of the template keyed by
-- five text columns, at 1M on DuckDB (integer keys alone: 0.90x; docs/performance.md).
-- The counts and the sums of each row's own terms (log loss, Brier, top-k hits) come from cells:
-- each evaluated row is counted once per granularity, in a cell of its window, model version,
-- segment values, label and predicted class, and the slices are added up from the cells. Only the
-- one-vs-rest AUC reads each slice's rows.
with segment_ranks as (
    select
        granularity,
        'customer_type' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by granularity, window_start
            order by sum(n) desc, collate(segment_value, 'utf8')
        ) as value_rank
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'week' then dateadd(day, 1 - dayofweekiso(days.day_start), date_trunc('day', days.day_start)) end as window_start,
            days.segment_value,
            days.n
        from (
            select date_trunc('day', predicted_at) as day_start, customer_type as segment_value, count(*) as n
            from hs_favorite_category__evaluations
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where customer_type is not null and customer_type <> '__other__'
            group by 1, 2
        ) as days
        cross join (
            select 'week' as granularity
        ) as granularities
    ) as segment_values
    where (
        (granularity = 'week' and window_start >= '2026-11-09 00:00:00'::timestamp_ntz)
    )
    group by granularity, window_start, segment_value
    union all
    select
        granularity,
        'region' as segment,
        window_start,
        segment_value,
        2 as segment_index,
        row_number() over (
            partition by granularity, window_start
            order by sum(n) desc, collate(segment_value, 'utf8')
        ) as value_rank
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'week' then dateadd(day, 1 - dayofweekiso(days.day_start), date_trunc('day', days.day_start)) end as window_start,
            days.segment_value,
            days.n
        from (
            select date_trunc('day', predicted_at) as day_start, region as segment_value, count(*) as n
            from hs_favorite_category__evaluations
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where region is not null and region <> '__other__'
            group by 1, 2
        ) as days
        cross join (
            select 'week' as granularity
        ) as granularities
    ) as segment_values
    where (
        (granularity = 'week' and window_start >= '2026-11-09 00:00:00'::timestamp_ntz)
    )
    group by granularity, window_start, segment_value

),

model_versions as (
    select model_version, row_number() over (order by collate(model_version, 'utf8')) as version_index
    from (select distinct model_version from hs_favorite_category__evaluations where model_version is not null) as versions

),

-- each evaluated row once per granularity, with its score terms (macros/multiclass_classification.sql)
cell_rows as (
    select
        dateadd(day, 1 - dayofweekiso(evaluated.predicted_at), date_trunc('day', evaluated.predicted_at)) as window_start,
        (coalesce(versions.version_index, 0) * 1 + 0) * 156 as base_key,
        cast(floor(cast(date_part(epoch_microsecond, dateadd(day, 1 - dayofweekiso(evaluated.predicted_at), date_trunc('day', evaluated.predicted_at))) - date_part(epoch_microsecond, cast(convert_timezone('UTC', cast('1970-01-01' as timestamp_tz)) as timestamp_ntz)) as float) / 3600000000 / 24) as number) * 1099511627776 + (coalesce(versions.version_index, 0) * 1 + 0) * 156 as base_group_key,
        case
            when evaluated.customer_type is null then 0
            when ranks_1.value_rank <= 50 then ranks_1.value_rank
            else 51
        end as value_1,
        case
            when evaluated.region is null then 0
            when ranks_2.value_rank <= 50 then ranks_2.value_rank
            else 51
        end as value_2,
        evaluated.label as label,
        evaluated.predicted_class as predicted_class,
        evaluated.hs_score_usable as usable,
        case when evaluated.hs_score_usable = 1 then evaluated.p_shirt / evaluated.hs_score_total end as p_1,
        case when evaluated.hs_score_usable = 1 then evaluated.p_pants / evaluated.hs_score_total end as p_2,
        case when evaluated.hs_score_usable = 1 then evaluated.p_dress / evaluated.hs_score_total end as p_3,
        case when evaluated.hs_score_usable = 1 then evaluated.p_knitwear / evaluated.hs_score_total end as p_4,
        case when evaluated.hs_score_usable = 1 then evaluated.p_outerwear / evaluated.hs_score_total end as p_5,
        case when evaluated.hs_score_usable = 1 then
            case evaluated.label
                when 'shirt' then evaluated.p_shirt / evaluated.hs_score_total
                when 'pants' then evaluated.p_pants / evaluated.hs_score_total
                when 'dress' then evaluated.p_dress / evaluated.hs_score_total
                when 'knitwear' then evaluated.p_knitwear / evaluated.hs_score_total
                when 'outerwear' then evaluated.p_outerwear / evaluated.hs_score_total
                else 0
            end
        end as p_true,
        case when evaluated.label in ('shirt', 'pants', 'dress', 'knitwear', 'outerwear') then 1 else 0 end as has_score
    from (
        select evaluated.*,
        case when abs((evaluated.p_shirt + evaluated.p_pants + evaluated.p_dress + evaluated.p_knitwear + evaluated.p_outerwear) - 1) <= 1e-5 then 1 else (evaluated.p_shirt + evaluated.p_pants + evaluated.p_dress + evaluated.p_knitwear + evaluated.p_outerwear) end as hs_score_total,
        case when evaluated.p_shirt is not null and evaluated.p_pants is not null and evaluated.p_dress is not null and evaluated.p_knitwear is not null and evaluated.p_outerwear is not null and (evaluated.p_shirt + evaluated.p_pants + evaluated.p_dress + evaluated.p_knitwear + evaluated.p_outerwear) <> 0 then 1 else 0 end as hs_score_usable
        from hs_favorite_category__evaluations as evaluated
    ) as evaluated
    left join model_versions as versions
        on versions.model_version = evaluated.model_version
    left join segment_ranks as ranks_1
        on ranks_1.granularity = 'week'
        and ranks_1.segment = 'customer_type'
        and ranks_1.window_start = dateadd(day, 1 - dayofweekiso(evaluated.predicted_at), date_trunc('day', evaluated.predicted_at))
        and ranks_1.segment_value = evaluated.customer_type
    left join segment_ranks as ranks_2
        on ranks_2.granularity = 'week'
        and ranks_2.segment = 'region'
        and ranks_2.window_start = dateadd(day, 1 - dayofweekiso(evaluated.predicted_at), date_trunc('day', evaluated.predicted_at))
        and ranks_2.segment_value = evaluated.region
    where evaluated.label_status = 'observed' and evaluated.predicted_class is not null        and evaluated.predicted_at >= '2026-11-09 00:00:00'::timestamp_ntz

),

-- one cell per window, model version, combination of segment values, label and predicted class:
-- its rows, and the sums of their score terms (over the usable rows; NULL without any)
cells as (
    select
        window_start, base_key, value_1, value_2, label, predicted_class,
        count(*) as pairs,
        sum(usable) as n_scored,
        sum(cast(case when usable = 1 then -ln(least(greatest(p_true, 1e-15), 1 - 1e-15)) end as number(38, 15))) as log_loss_sum,
        -- squared error over the scored classes, plus 1 for a true class without a score column
        sum(cast((p_1 - case when label = 'shirt' then 1 else 0 end) * (p_1 - case when label = 'shirt' then 1 else 0 end) + (p_2 - case when label = 'pants' then 1 else 0 end) * (p_2 - case when label = 'pants' then 1 else 0 end) + (p_3 - case when label = 'dress' then 1 else 0 end) * (p_3 - case when label = 'dress' then 1 else 0 end) + (p_4 - case when label = 'knitwear' then 1 else 0 end) * (p_4 - case when label = 'knitwear' then 1 else 0 end) + (p_5 - case when label = 'outerwear' then 1 else 0 end) * (p_5 - case when label = 'outerwear' then 1 else 0 end) + (1 - has_score) as number(38, 15))) as brier_sum,
        -- a row's hit: 1 when the classes scoring higher than its true class and those tied with it fit
        -- in k, 0 when the higher ones alone fill k, else the share of the tied ones that fit: what an
        -- order of the ties drawn at random gives on average (uniform scores over 3 classes: 1/3 at k = 1)
        sum(cast(round((case when usable = 1 and has_score = 1 then case when (case when p_1 > p_true then 1 else 0 end + case when p_2 > p_true then 1 else 0 end + case when p_3 > p_true then 1 else 0 end + case when p_4 > p_true then 1 else 0 end + case when p_5 > p_true then 1 else 0 end) >= 2 then 0 when (case when p_1 > p_true then 1 else 0 end + case when p_2 > p_true then 1 else 0 end + case when p_3 > p_true then 1 else 0 end + case when p_4 > p_true then 1 else 0 end + case when p_5 > p_true then 1 else 0 end) + (case when p_1 = p_true then 1 else 0 end + case when p_2 = p_true then 1 else 0 end + case when p_3 = p_true then 1 else 0 end + case when p_4 = p_true then 1 else 0 end + case when p_5 = p_true then 1 else 0 end) <= 2 then 1 else cast(2 - (case when p_1 > p_true then 1 else 0 end + case when p_2 > p_true then 1 else 0 end + case when p_3 > p_true then 1 else 0 end + case when p_4 > p_true then 1 else 0 end + case when p_5 > p_true then 1 else 0 end) as float) / nullif((case when p_1 = p_true then 1 else 0 end + case when p_2 = p_true then 1 else 0 end + case when p_3 = p_true then 1 else 0 end + case when p_4 = p_true then 1 else 0 end + case when p_5 = p_true then 1 else 0 end), 0) end else 0 end) * 1e15) as bigint)) as top_2_hits,
        -- a row's hit: 1 when the classes scoring higher than its true class and those tied with it fit
        -- in k, 0 when the higher ones alone fill k, else the share of the tied ones that fit: what an
        -- order of the ties drawn at random gives on average (uniform scores over 3 classes: 1/3 at k = 1)
        sum(cast(round((case when usable = 1 and has_score = 1 then case when (case when p_1 > p_true then 1 else 0 end + case when p_2 > p_true then 1 else 0 end + case when p_3 > p_true then 1 else 0 end + case when p_4 > p_true then 1 else 0 end + case when p_5 > p_true then 1 else 0 end) >= 3 then 0 when (case when p_1 > p_true then 1 else 0 end + case when p_2 > p_true then 1 else 0 end + case when p_3 > p_true then 1 else 0 end + case when p_4 > p_true then 1 else 0 end + case when p_5 > p_true then 1 else 0 end) + (case when p_1 = p_true then 1 else 0 end + case when p_2 = p_true then 1 else 0 end + case when p_3 = p_true then 1 else 0 end + case when p_4 = p_true then 1 else 0 end + case when p_5 = p_true then 1 else 0 end) <= 3 then 1 else cast(3 - (case when p_1 > p_true then 1 else 0 end + case when p_2 > p_true then 1 else 0 end + case when p_3 > p_true then 1 else 0 end + case when p_4 > p_true then 1 else 0 end + case when p_5 > p_true then 1 else 0 end) as float) / nullif((case when p_1 = p_true then 1 else 0 end + case when p_2 = p_true then 1 else 0 end + case when p_3 = p_true then 1 else 0 end + case when p_4 = p_true then 1 else 0 end + case when p_5 = p_true then 1 else 0 end), 0) end else 0 end) * 1e15) as bigint)) as top_3_hits
    from cell_rows
    group by window_start, base_key, value_1, value_2, label, predicted_class
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
    select window_start, base_key as slice_key, label, predicted_class, pairs, n_scored, log_loss_sum, brier_sum, top_2_hits, top_3_hits
    from cells
    union all
    select window_start, base_key + 52 + value_1, label, predicted_class, pairs, n_scored, log_loss_sum, brier_sum, top_2_hits, top_3_hits
    from cells
    union all
    select window_start, base_key + 104 + value_2, label, predicted_class, pairs, n_scored, log_loss_sum, brier_sum, top_2_hits, top_3_hits
    from cells

),

-- per group and (label, predicted class) pair: its rows and sums, added up from the cells
slice_pairs as (
    select
        cast(floor(cast(date_part(epoch_microsecond, window_start) - date_part(epoch_microsecond, cast(convert_timezone('UTC', cast('1970-01-01' as timestamp_tz)) as timestamp_ntz)) as float) / 3600000000 / 24) as number) * 1099511627776 + slice_key as group_key,
        window_start,
        slice_key,
        label,
        predicted_class,
        sum(pairs) as pairs,
        sum(n_scored) as n_scored,
        sum(log_loss_sum) as log_loss_sum,
        sum(brier_sum) as brier_sum,
        sum(top_2_hits) as top_2_hits,
        sum(top_3_hits) as top_3_hits
    from keyed_cells
    group by window_start, slice_key, label, predicted_class
),

-- how often each class present in a group is the label, the prediction, and both
per_class as (
    select
        group_key,
        class,
        sum(sum(is_label)) over (partition by group_key) as n,
        sum(is_label) as support,
        sum(is_predicted) as predicted_count,
        sum(is_hit) as tp
    from (
        select group_key, label as class, pairs as is_label, 0 as is_predicted, case when label = predicted_class then pairs else 0 end as is_hit
        from slice_pairs
        union all
        select group_key, predicted_class, 0, pairs, 0
        from slice_pairs
    ) as class_rows
    group by group_key, class
),

confusion as (
    select group_key, label, predicted_class, pairs, sum(pairs) over (partition by group_key) as n
    from slice_pairs
),

-- every group gets these rows; with no usable scores their values are NULL
score_summary as (
    select
        group_key,
        sum(n_scored) as n_scored,
        sum(log_loss_sum) as log_loss_sum,
        sum(brier_sum) as brier_sum,
        sum(top_2_hits) as top_2_hits,
        sum(top_3_hits) as top_3_hits
    from slice_pairs
    group by group_key
),

-- the usable rows under each of their slices' keys, with their renormalized scores
sliced as (
    select base_group_key as group_key, label, p_1, p_2, p_3, p_4, p_5
    from cell_rows
    where usable = 1
    union all
    select base_group_key + 52 + value_1, label, p_1, p_2, p_3, p_4, p_5
    from cell_rows
    where usable = 1
    union all
    select base_group_key + 104 + value_2, label, p_1, p_2, p_3, p_4, p_5
    from cell_rows
    where usable = 1

),

-- One-vs-rest on the usable rows, class by class: each row positive when the class is its label. As
-- in the binary step, rank-type windows (macros/ranking.sql) give the cumulative counts from the
-- sort alone: rows of the group scored below (cnt_lt) and at or below (cnt_le) each row, then the
-- same among the positives, ranked apart. Running sums over the distinct scores instead took 35 of
-- the step's 47 s of operator CPU at 1M on DuckDB (docs/performance.md). Each class is sorted on its
-- own: one sort of every row under every class spilled to disk on Postgres at 1M.
positive_ranks as (
    select
        group_key, class_index, cnt_lt, cnt_le, n_all,
        rank() over (partition by group_key order by score) - 1 as pos_lt,
        count(*) over (partition by group_key order by score range between unbounded preceding and current row) as pos_le,
        count(*) over (partition by group_key) as positives
    from (
        select
            group_key,
            class_index,
            score,
            pos,
            rank() over (partition by group_key order by score) - 1 as cnt_lt,
        count(*) over (partition by group_key order by score range between unbounded preceding and current row) as cnt_le,
        count(*) over (partition by group_key) as n_all
        from (
            select group_key, 1 as class_index, p_1 as score, case when label = 'shirt' then 1 else 0 end as pos
            from sliced
        ) as class_rows
    ) as ranked
    where pos = 1
    union all
    select
        group_key, class_index, cnt_lt, cnt_le, n_all,
        rank() over (partition by group_key order by score) - 1 as pos_lt,
        count(*) over (partition by group_key order by score range between unbounded preceding and current row) as pos_le,
        count(*) over (partition by group_key) as positives
    from (
        select
            group_key,
            class_index,
            score,
            pos,
            rank() over (partition by group_key order by score) - 1 as cnt_lt,
        count(*) over (partition by group_key order by score range between unbounded preceding and current row) as cnt_le,
        count(*) over (partition by group_key) as n_all
        from (
            select group_key, 2 as class_index, p_2 as score, case when label = 'pants' then 1 else 0 end as pos
            from sliced
        ) as class_rows
    ) as ranked
    where pos = 1
    union all
    select
        group_key, class_index, cnt_lt, cnt_le, n_all,
        rank() over (partition by group_key order by score) - 1 as pos_lt,
        count(*) over (partition by group_key order by score range between unbounded preceding and current row) as pos_le,
        count(*) over (partition by group_key) as positives
    from (
        select
            group_key,
            class_index,
            score,
            pos,
            rank() over (partition by group_key order by score) - 1 as cnt_lt,
        count(*) over (partition by group_key order by score range between unbounded preceding and current row) as cnt_le,
        count(*) over (partition by group_key) as n_all
        from (
            select group_key, 3 as class_index, p_3 as score, case when label = 'dress' then 1 else 0 end as pos
            from sliced
        ) as class_rows
    ) as ranked
    where pos = 1
    union all
    select
        group_key, class_index, cnt_lt, cnt_le, n_all,
        rank() over (partition by group_key order by score) - 1 as pos_lt,
        count(*) over (partition by group_key order by score range between unbounded preceding and current row) as pos_le,
        count(*) over (partition by group_key) as positives
    from (
        select
            group_key,
            class_index,
            score,
            pos,
            rank() over (partition by group_key order by score) - 1 as cnt_lt,
        count(*) over (partition by group_key order by score range between unbounded preceding and current row) as cnt_le,
        count(*) over (partition by group_key) as n_all
        from (
            select group_key, 4 as class_index, p_4 as score, case when label = 'knitwear' then 1 else 0 end as pos
            from sliced
        ) as class_rows
    ) as ranked
    where pos = 1
    union all
    select
        group_key, class_index, cnt_lt, cnt_le, n_all,
        rank() over (partition by group_key order by score) - 1 as pos_lt,
        count(*) over (partition by group_key order by score range between unbounded preceding and current row) as pos_le,
        count(*) over (partition by group_key) as positives
    from (
        select
            group_key,
            class_index,
            score,
            pos,
            rank() over (partition by group_key order by score) - 1 as cnt_lt,
        count(*) over (partition by group_key order by score range between unbounded preceding and current row) as cnt_le,
        count(*) over (partition by group_key) as n_all
        from (
            select group_key, 5 as class_index, p_5 as score, case when label = 'outerwear' then 1 else 0 end as pos
            from sliced
        ) as class_rows
    ) as ranked
    where pos = 1
),

-- one-vs-rest ROC AUC: twice the pairs each positive wins (a tie counts one half), over twice the
-- pairs; a class without positives in the group has no row (its AUC is undefined)
class_auc as (
    select
        group_key,
        case class_index when 1 then 'shirt' when 2 then 'pants' when 3 then 'dress' when 4 then 'knitwear' when 5 then 'outerwear' end as class,
        cast(sum((cnt_lt - pos_lt) + (cnt_le - pos_le)) as float) / nullif(2 * cast(max(positives) as float) * max(n_all - positives), 0) as roc_auc
    from positive_ranks
    group by group_key, class_index
),

-- per class present in a group: the counting metrics, and its ROC AUC when it has a score column
per_class_values as (
    select
        group_key,
        class,
        max(n) as n,
        max(support) as support,
        max(predicted_count) as predicted_count,
        max(tp) as tp,
        max(roc_auc) as roc_auc,
        max(has_score_column) as has_score_column
    from (
        select group_key, class, n, support, predicted_count, tp, cast(null as float) as roc_auc,
            case when class in ('shirt', 'pants', 'dress', 'knitwear', 'outerwear') then 1 else 0 end as has_score_column
        from per_class
        union all
        select group_key, class, null, null, null, null, roc_auc, 1
        from class_auc
    ) as class_parts
    group by group_key, class
    -- a scored class that is neither a label nor a prediction of the group has no rows
    having max(class_parts.n) is not null
),

per_class_metrics as (
    select
        per_class_values.*,
        cast(cast(tp as float) / nullif(predicted_count, 0) as float) as precision,
        cast(cast(tp as float) / nullif(support, 0) as float) as recall,
        cast(cast(2 * tp as float) / nullif(predicted_count + support, 0) as float) as f1
    from per_class_values
),

-- the score-based window rows: the sums over usable rows, and the one-vs-rest macro average over
-- the classes present in the labels that have a score column (NULL with fewer than two, or when
-- one of them has no AUC because its label rows had no usable scores)
score_rows as (
    select
        group_key,
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
            group_key, n_scored, log_loss_sum, brier_sum, top_2_hits, top_3_hits,
            null as auc_classes, null as auc_defined, null as auc_sum
        from score_summary
        union all
        select
            group_key, null, null, null, null, null,
            count(case when support > 0 and has_score_column = 1 then 1 end),
            count(case when support > 0 and has_score_column = 1 then roc_auc end),
            sum(cast(case when support > 0 and has_score_column = 1 then roc_auc end as number(38, 15)))
        from per_class_metrics
        group by group_key
    ) as parts
    group by group_key
),

-- every metric row, under its group's key
keyed_metrics as (
select
    group_key,
    'precision' as metric,
    class as qualifier,
    cast(precision as float) as value,
    cast(n as number) as sample_size
from per_class_metrics
union all
select
    group_key,
    'recall' as metric,
    class as qualifier,
    cast(recall as float) as value,
    cast(n as number) as sample_size
from per_class_metrics
union all
select
    group_key,
    'f1' as metric,
    class as qualifier,
    cast(f1 as float) as value,
    cast(n as number) as sample_size
from per_class_metrics
union all
select
    group_key,
    'support' as metric,
    class as qualifier,
    cast(support as float) as value,
    cast(n as number) as sample_size
from per_class_metrics
union all
select
    group_key,
    'predicted_count' as metric,
    class as qualifier,
    cast(predicted_count as float) as value,
    cast(n as number) as sample_size
from per_class_metrics
union all
select
    group_key,
    'roc_auc' as metric,
    class as qualifier,
    cast(roc_auc as float) as value,
    cast(n as number) as sample_size
from per_class_metrics
union all
select
    group_key,
    'count' as metric,
    cast(null as varchar) as qualifier,
    cast(max(n) as float) as value,
    cast(max(n) as number) as sample_size
from per_class_metrics
group by group_key
union all
select
    group_key,
    'accuracy' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(sum(tp) as float) / nullif(max(n), 0) as float) as value,
    cast(max(n) as number) as sample_size
from per_class_metrics
group by group_key
union all
select
    group_key,
    'balanced_accuracy' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(sum(cast(recall as number(38, 15))) as float) / nullif(count(recall), 0) as float) as value,
    cast(max(n) as number) as sample_size
from per_class_metrics
group by group_key
union all
select
    group_key,
    'precision_macro' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(sum(cast(coalesce(precision, 0) as number(38, 15))) as float) / nullif(count(*), 0) as float) as value,
    cast(max(n) as number) as sample_size
from per_class_metrics
group by group_key
union all
select
    group_key,
    'recall_macro' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(sum(cast(coalesce(recall, 0) as number(38, 15))) as float) / nullif(count(*), 0) as float) as value,
    cast(max(n) as number) as sample_size
from per_class_metrics
group by group_key
union all
select
    group_key,
    'f1_macro' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(sum(cast(coalesce(f1, 0) as number(38, 15))) as float) / nullif(count(*), 0) as float) as value,
    cast(max(n) as number) as sample_size
from per_class_metrics
group by group_key
union all
select
    group_key,
    'precision_weighted' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(sum(cast(support * coalesce(precision, 0) as number(38, 15))) as float) / nullif(sum(support), 0) as float) as value,
    cast(max(n) as number) as sample_size
from per_class_metrics
group by group_key
union all
select
    group_key,
    'recall_weighted' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(sum(cast(support * coalesce(recall, 0) as number(38, 15))) as float) / nullif(sum(support), 0) as float) as value,
    cast(max(n) as number) as sample_size
from per_class_metrics
group by group_key
union all
select
    group_key,
    'f1_weighted' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(sum(cast(support * coalesce(f1, 0) as number(38, 15))) as float) / nullif(sum(support), 0) as float) as value,
    cast(max(n) as number) as sample_size
from per_class_metrics
group by group_key
union all
select
    group_key,
    'cohen_kappa' as metric,
    cast(null as varchar) as qualifier,
    cast((cast(sum(tp) as float) / nullif(max(n), 0) - cast(sum(support * predicted_count) as float) / nullif(max(n) * max(n), 0)) / nullif(1 - cast(sum(support * predicted_count) as float) / nullif(max(n) * max(n), 0), 0) as float) as value,
    cast(max(n) as number) as sample_size
from per_class_metrics
group by group_key
union all
select
    group_key,
    'log_loss' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(log_loss_sum as float) / nullif(n_scored, 0) as float) as value,
    cast(n_scored as number) as sample_size
from score_rows
union all
select
    group_key,
    'brier_score' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(brier_sum as float) / nullif(n_scored, 0) as float) as value,
    cast(n_scored as number) as sample_size
from score_rows
union all
select
    group_key,
    'roc_auc_ovr_macro' as metric,
    cast(null as varchar) as qualifier,
    cast(case when auc_classes >= 2 and auc_defined = auc_classes then cast(auc_sum as float) / nullif(auc_classes, 0) end as float) as value,
    cast(n_scored as number) as sample_size
from score_rows
union all
select
    group_key,
    'top_2_accuracy' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(cast(top_2_hits as float) / 1e15 as float) / nullif(n_scored, 0) as float) as value,
    cast(n_scored as number) as sample_size
from score_rows
union all
select
    group_key,
    'top_3_accuracy' as metric,
    cast(null as varchar) as qualifier,
    cast(cast(cast(top_3_hits as float) / 1e15 as float) / nullif(n_scored, 0) as float) as value,
    cast(n_scored as number) as sample_size
from score_rows
union all
select
    group_key,
    'confusion' as metric,
    label || '→' || predicted_class as qualifier,
    cast(pairs as float) as value,
    cast(n as number) as sample_size
from confusion
),

group_slices as (
    select group_key, window_start, slice_key
    from slice_pairs
    group by group_key, window_start, slice_key
),

named_groups as (
    select
        case mod(cast(((keyed.slice_key) - mod(keyed.slice_key, 156)) / (156) as bigint), 1) when 0 then 'week' end as granularity,
        keyed.window_start,
        versions.model_version,
        case mod(cast(((keyed.slice_key) - mod(keyed.slice_key, 52)) / (52) as bigint), 3) when 1 then 'customer_type' when 2 then 'region' end as segment,
        case
            when mod(keyed.slice_key, 52) = 0 then cast(null as varchar)
            when mod(keyed.slice_key, 52) = 51 then '__other__'
            else ranks.segment_value
        end as segment_value,
        keyed.group_key
    from group_slices as keyed
    left join model_versions as versions
        on versions.version_index = cast(((keyed.slice_key) - mod(keyed.slice_key, 156)) / (156) as bigint)
    left join segment_ranks as ranks
        on ranks.window_start = keyed.window_start
        and ranks.granularity = case mod(cast(((keyed.slice_key) - mod(keyed.slice_key, 156)) / (156) as bigint), 1) when 0 then 'week' end
        and ranks.segment_index = mod(cast(((keyed.slice_key) - mod(keyed.slice_key, 52)) / (52) as bigint), 3)
        and ranks.value_rank = mod(keyed.slice_key, 52)

)

select
    named_groups.granularity,
    named_groups.window_start,
    named_groups.model_version,
    named_groups.segment,
    named_groups.segment_value,
    keyed_metrics.metric,
    keyed_metrics.qualifier,
    keyed_metrics.value,
    keyed_metrics.sample_size
from keyed_metrics
join named_groups
    on named_groups.group_key = keyed_metrics.group_key

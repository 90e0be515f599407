-- Binary-classification metrics of monitor keep_probability (threshold 0.5), per window,
-- model version and slice. Exact ranking metrics (ROC AUC, average precision, KS) come from the
-- ranks of each row in its group, or with approximate_ranking from score bins with error bounds;
-- formulas are in macros/binary_classification.sql.
-- Sums of doubles are exact, in integer units of 1e-15 (d.femtoSum: every addend here is below 35),
-- so that the values never depend on row order.
-- Groups are keyed by integers until the last step (slice keys and group_key: macros/slices.sql).
with segment_ranks as (
    select
        granularity,
        'customer_type' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by granularity, window_start
            order by sum(n) desc, segment_value collate "C"
        ) as value_rank
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'day' then date_trunc('day', days.day_start) when 'week' then date_trunc('week', days.day_start) end as window_start,
            days.segment_value,
            days.n
        from (
            select date_trunc('day', predicted_at) as day_start, "customer_type" as segment_value, count(*) as n
            from "hs_keep_probability__evaluations"
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where "customer_type" is not null and "customer_type" <> '__other__'
            group by 1, 2
        ) as days
        cross join (
            select 'day' as granularity union all
            select 'week' as granularity
        ) as granularities
    ) as segment_values
    where (
        (granularity = 'day' and window_start >= timestamp '2026-11-13 00:00:00') or
        (granularity = 'week' and window_start >= timestamp '2026-11-09 00:00:00')
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
            order by sum(n) desc, segment_value collate "C"
        ) as value_rank
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'day' then date_trunc('day', days.day_start) when 'week' then date_trunc('week', days.day_start) end as window_start,
            days.segment_value,
            days.n
        from (
            select date_trunc('day', predicted_at) as day_start, "region" as segment_value, count(*) as n
            from "hs_keep_probability__evaluations"
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where "region" is not null and "region" <> '__other__'
            group by 1, 2
        ) as days
        cross join (
            select 'day' as granularity union all
            select 'week' as granularity
        ) as granularities
    ) as segment_values
    where (
        (granularity = 'day' and window_start >= timestamp '2026-11-13 00:00:00') or
        (granularity = 'week' and window_start >= timestamp '2026-11-09 00:00:00')
    )
    group by granularity, window_start, segment_value

),

model_versions as (
    select model_version, row_number() over (order by model_version collate "C") as version_index
    from (select distinct model_version from "hs_keep_probability__evaluations" where model_version is not null) as versions

),

-- The sums that need no ranking (counts, score total, threshold counts, log loss, Brier, calibration)
-- are each row's own terms: every evaluated row is counted once per granularity, in a cell of its
-- window, model version, segment values (as slices fold them: value indexes of macros/slices.sql) and
-- calibration bin, and the slices are then added up from the cells. Every sum is of integers (counts,
-- d.femtoSum units), so adding cells gives the rows' sums exactly.
-- Computing them on the sliced rows instead took each row's terms once per slice (docs/performance.md).
cell_rows as (
    select
        date_trunc('day', evaluated.predicted_at) as window_start,
        (coalesce(versions.version_index, 0) * 2 + 0) * 156 as base_key,
        cast(floor(cast(extract(epoch from (date_trunc('day', evaluated.predicted_at) - cast('1970-01-01' as timestamp))) as double precision) / 3600 / 24) as bigint) * 1099511627776 + (coalesce(versions.version_index, 0) * 2 + 0) * 156 as base_group_key,
        case
            when evaluated."customer_type" is null then 0
            when ranks_1.value_rank <= 50 then ranks_1.value_rank
            else 51
        end as value_1,
        case
            when evaluated."region" is null then 0
            when ranks_2.value_rank <= 20 then ranks_2.value_rank
            else 51
        end as value_2,
        least(greatest(floor(score * 10), 0), 9) as calibration_bin,
        score,
        label
    from "hs_keep_probability__evaluations" as evaluated
    left join model_versions as versions
        on versions.model_version = evaluated.model_version
    left join segment_ranks as ranks_1
        on ranks_1.granularity = 'day'
        and ranks_1.segment = 'customer_type'
        and ranks_1.window_start = date_trunc('day', evaluated.predicted_at)
        and ranks_1.segment_value = evaluated."customer_type"
    left join segment_ranks as ranks_2
        on ranks_2.granularity = 'day'
        and ranks_2.segment = 'region'
        and ranks_2.window_start = date_trunc('day', evaluated.predicted_at)
        and ranks_2.segment_value = evaluated."region"
    where evaluated.label is not null and evaluated.score is not null        and evaluated.predicted_at >= timestamp '2026-11-13 00:00:00'
    union all
    select
        date_trunc('week', evaluated.predicted_at) as window_start,
        (coalesce(versions.version_index, 0) * 2 + 1) * 156 as base_key,
        cast(floor(cast(extract(epoch from (date_trunc('week', evaluated.predicted_at) - cast('1970-01-01' as timestamp))) as double precision) / 3600 / 24) as bigint) * 1099511627776 + (coalesce(versions.version_index, 0) * 2 + 1) * 156 as base_group_key,
        case
            when evaluated."customer_type" is null then 0
            when ranks_1.value_rank <= 50 then ranks_1.value_rank
            else 51
        end as value_1,
        case
            when evaluated."region" is null then 0
            when ranks_2.value_rank <= 20 then ranks_2.value_rank
            else 51
        end as value_2,
        least(greatest(floor(score * 10), 0), 9) as calibration_bin,
        score,
        label
    from "hs_keep_probability__evaluations" as evaluated
    left join model_versions as versions
        on versions.model_version = evaluated.model_version
    left join segment_ranks as ranks_1
        on ranks_1.granularity = 'week'
        and ranks_1.segment = 'customer_type'
        and ranks_1.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks_1.segment_value = evaluated."customer_type"
    left join segment_ranks as ranks_2
        on ranks_2.granularity = 'week'
        and ranks_2.segment = 'region'
        and ranks_2.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks_2.segment_value = evaluated."region"
    where evaluated.label is not null and evaluated.score is not null        and evaluated.predicted_at >= timestamp '2026-11-09 00:00:00'

),

-- one cell per combination of every segment's value and calibration bin (at most ten per combination)
cells as (
    select
        window_start, base_key, value_1, value_2, calibration_bin,
        count(*) as n,
        sum(label) as n_positive,
        -- the bin's positives in the units of sum_score, so that |positives - scores| stays exact
        sum(cast(round((label) * 1e15) as bigint)) as bin_pos,
        sum(cast(round((score) * 1e15) as bigint)) as sum_score,
        sum(case when score >= 0.5 then label else 0 end) as tp,
        sum(case when score >= 0.5 then 1 - label else 0 end) as fp,
        sum(cast(round((case when label = 1 then - ln(least(greatest(score, 1e-15), 1 - 1e-15)) else - ln(1 - least(greatest(score, 1e-15), 1 - 1e-15)) end) * 1e15) as bigint)) as log_loss_sum,
        sum(cast(round(((score - label) * (score - label)) * 1e15) as bigint)) as brier_sum
    from cell_rows
    group by window_start, base_key, value_1, value_2, calibration_bin
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
    select window_start, base_key as slice_key, calibration_bin, n, n_positive, bin_pos, sum_score, tp, fp, log_loss_sum, brier_sum
    from cells
    union all
    select window_start, base_key + 52 + value_1, calibration_bin, n, n_positive, bin_pos, sum_score, tp, fp, log_loss_sum, brier_sum
    from cells
    union all
    select window_start, base_key + 104 + value_2, calibration_bin, n, n_positive, bin_pos, sum_score, tp, fp, log_loss_sum, brier_sum
    from cells

),

-- the ten calibration bins of each group, with the sums that need no ranking
bins as (
    select
        window_start, slice_key,
        calibration_bin as bin,
        sum(n) as n,
        sum(n_positive) as n_positive,
        sum(bin_pos) as bin_pos,
        sum(sum_score) as sum_score,
        sum(tp) as tp,
        sum(fp) as fp,
        sum(log_loss_sum) as log_loss_sum,
        sum(brier_sum) as brier_sum
    from keyed_cells
    group by window_start, slice_key, calibration_bin
),

-- each group's totals
totals as (
    select
        window_start, slice_key,
        sum(n_positive) as positives,
        sum(n) - sum(n_positive) as negatives,
        sum(n) as n,
        cast(sum(sum_score) as double precision) / 1e15 as sum_score,
        sum(tp) as tp,
        sum(fp) as fp,
        cast(sum(log_loss_sum) as double precision) / 1e15 as log_loss_sum,
        cast(sum(brier_sum) as double precision) / 1e15 as brier_sum,
        cast(sum(abs(bin_pos - sum_score)) as double precision) / 1e15 as ece_gap_sum
    from bins
    group by window_start, slice_key
),

sliced as (
    -- each row under each of its slices' keys, from the cell rows, which are computed once
    select base_group_key as group_key, score, label
    from cell_rows
    union all
    select base_group_key + 52 + value_1, score, label
    from cell_rows
    union all
    select base_group_key + 104 + value_2, score, label
    from cell_rows

),

-- Rank-type windows (macros/ranking.sql) give every cumulative count the ranking metrics need, ties included:
--   cnt_lt / cnt_le: rows of the group scored below / at or below this row's score
--   pos_lt / pos_le: positives of the group scored below / at or below it (on positive rows only)
ranked as (
    select
        group_key,
        score,
        label,
        rank() over (partition by group_key order by score) - 1 as cnt_lt,
        count(*) over (partition by group_key order by score) as cnt_le,
        count(*) over (partition by group_key) as n_all
    from sliced
),

-- Every ranking metric sums or maximizes over the positives (KS's maximum over all scores is reached
-- at a positive's score, or is 0), so only they are kept, and the second sort ranks only them.
curve as (
    select
        group_key, score, cnt_lt, cnt_le, n_all,
        rank() over (partition by group_key order by score) - 1 as pos_lt,
        count(*) over (partition by group_key order by score) as pos_le,
        count(*) over (partition by group_key) as positives
    from ranked
    where label = 1
),

-- each group's ranking sums, over its positives
rank_terms as (
    select
        group_key,
        -- twice the pairs a positive wins (a tie counts one half): negatives below plus negatives at or below
        sum((cnt_lt - pos_lt) + (cnt_le - pos_le)) as auc_pairs_x2,
        -- each positive at score s adds precision(score >= s)
        cast(sum(cast(round((cast(positives - pos_lt as double precision) / nullif(n_all - cnt_lt, 0)) * 1e15) as bigint)) as double precision) / 1e15 as ap_sum,
        -- TPR - FPR at threshold score >= s, at each positive's score s
        max(cast(positives - pos_lt as double precision) / nullif(positives, 0) - cast((n_all - positives) - (cnt_lt - pos_lt) as double precision) / nullif(n_all - positives, 0)) as ks_max
    from curve
    group by group_key
),

-- a group without positives has no rank terms: its ranking metrics are undefined
summary as (
    select
        totals.*,
        rank_terms.auc_pairs_x2, rank_terms.ks_max, rank_terms.ap_sum
    from totals
    left join rank_terms
        on rank_terms.group_key = cast(floor(cast(extract(epoch from (totals.window_start - cast('1970-01-01' as timestamp))) as double precision) / 3600 / 24) as bigint) * 1099511627776 + totals.slice_key
),

named_groups as (
    select
        case mod((keyed.slice_key) / (156), 2) when 0 then 'day' when 1 then 'week' end as granularity,
        keyed.window_start,
        versions.model_version,
        case mod((keyed.slice_key) / (52), 3) when 1 then 'customer_type' when 2 then 'region' end as segment,
        case
            when mod(keyed.slice_key, 52) = 0 then cast(null as text)
            when mod(keyed.slice_key, 52) = 51 then '__other__'
            else ranks.segment_value
        end as segment_value,
        keyed.positives, keyed.negatives, keyed.n, keyed.sum_score, keyed.tp, keyed.fp, keyed.log_loss_sum, keyed.brier_sum, keyed.ece_gap_sum, keyed.auc_pairs_x2, keyed.ks_max, keyed.ap_sum
    from summary as keyed
    left join model_versions as versions
        on versions.version_index = (keyed.slice_key) / (312)
    left join segment_ranks as ranks
        on ranks.window_start = keyed.window_start
        and ranks.granularity = case mod((keyed.slice_key) / (156), 2) when 0 then 'day' when 1 then 'week' end
        and ranks.segment_index = mod((keyed.slice_key) / (52), 3)
        and ranks.value_rank = mod(keyed.slice_key, 52)

)

select
    granularity, window_start, model_version, segment, segment_value,
    'count' as metric,
    cast(null as text) as qualifier,
    cast(n as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'positive_rate' as metric,
    cast(null as text) as qualifier,
    cast(cast(positives as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mean_score' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_score as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'tp' as metric,
    cast(null as text) as qualifier,
    cast(tp as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'fp' as metric,
    cast(null as text) as qualifier,
    cast(fp as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'tn' as metric,
    cast(null as text) as qualifier,
    cast((negatives - fp) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'fn' as metric,
    cast(null as text) as qualifier,
    cast((positives - tp) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'accuracy' as metric,
    cast(null as text) as qualifier,
    cast(cast(tp + (negatives - fp) as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'precision' as metric,
    cast(null as text) as qualifier,
    cast(cast(tp as double precision) / nullif(tp + fp, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'recall' as metric,
    cast(null as text) as qualifier,
    cast(cast(tp as double precision) / nullif(positives, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'specificity' as metric,
    cast(null as text) as qualifier,
    cast(cast((negatives - fp) as double precision) / nullif(negatives, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'f1' as metric,
    cast(null as text) as qualifier,
    cast(cast(2 * tp as double precision) / nullif(2 * tp + fp + (positives - tp), 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mcc' as metric,
    cast(null as text) as qualifier,
    cast(cast(cast(tp as double precision) * (negatives - fp) - cast(fp as double precision) * (positives - tp) as double precision) / nullif(sqrt(cast(tp + fp as double precision) * (tp + (positives - tp)) * ((negatives - fp) + fp) * ((negatives - fp) + (positives - tp))), 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'roc_auc' as metric,
    cast(null as text) as qualifier,
    cast(cast(auc_pairs_x2 as double precision) / nullif(2 * cast(positives as double precision) * negatives, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'average_precision' as metric,
    cast(null as text) as qualifier,
    cast(cast(ap_sum as double precision) / nullif(positives, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'log_loss' as metric,
    cast(null as text) as qualifier,
    cast(cast(log_loss_sum as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'brier_score' as metric,
    cast(null as text) as qualifier,
    cast(cast(brier_sum as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'ece' as metric,
    cast(null as text) as qualifier,
    cast(cast(ece_gap_sum as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'ks' as metric,
    cast(null as text) as qualifier,
    cast(case when positives > 0 and negatives > 0 then greatest(ks_max, 0) end as double precision) as value,
    cast(n as bigint) as sample_size
from named_groups

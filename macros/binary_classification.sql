{#-
  Binary-classification metrics: where each metric is defined.
  `summary` has one row per group (granularity, window, version, segment, value) with these sums,
  all taken over the evaluated predictions of the group:
    n, positives, negatives, sum_score      counts and the score total
    tp, fp                                   predictions with score >= threshold that are positive / negative
    auc_pairs_x2    sum over positives of (2 x negatives scored lower + negatives scored equal)
    ap_sum          sum over distinct scores s of positives(s) * precision(score >= s)
    ks_max          max over distinct scores s of TPR(score >= s) - FPR(score >= s)
    log_loss_sum, brier_sum, ece_gap_sum     per-row losses summed; per-bin |labels - scores| summed
  With approximate_ranking (m.scoreBins), each score bin counts as one tied score in auc_pairs_x2,
  ap_share (average precision itself) and ks_max, and the bounds come with them:
    auc_tie_pairs        sum over bins of positives x negatives in the bin
    ap_lower, ap_upper   average precision if every bin ranked its negatives / its positives first
    ks_upper             max over bins of TPR - FPR at the bin's lowest score plus its negatives / N
  `metrics`: [metric name, value expression] in the order they are written. Undefined values divide by nullif(…, 0) and so are NULL.
-#}
{% set tn = '(negatives - fp)' %}
{% set fn = '(positives - tp)' %}
{% set mcc_denominator = 'sqrt(' + d.toDouble('tp + fp') + ' * (tp + ' + fn + ') * (' + tn + ' + fp) * (' + tn + ' + ' + fn + '))' %}
{% set metrics = [
    ['count', 'n'],
    ['positive_rate', d.divide('positives', 'n')],
    ['mean_score', d.divide('sum_score', 'n')],
    ['tp', 'tp'],
    ['fp', 'fp'],
    ['tn', tn],
    ['fn', fn],
    ['accuracy', d.divide('tp + ' + tn, 'n')],
    ['precision', d.divide('tp', 'tp + fp')],
    ['recall', d.divide('tp', 'positives')],
    ['specificity', d.divide(tn, 'negatives')],
    ['f1', d.divide('2 * tp', '2 * tp + fp + ' + fn)],
    ['mcc', d.divide(d.toDouble('tp') + ' * ' + tn + ' - ' + d.toDouble('fp') + ' * ' + fn, mcc_denominator)],
    ['roc_auc', d.divide('auc_pairs_x2', '2 * ' + d.toDouble('positives') + ' * negatives')]
] %}
{% if m.scoreBins %}
{#- Each approximate value is followed by its error bound: the exact value is within value ± bound. -#}
{% set _ = metrics.push(
    ['roc_auc_error_bound', d.divide('auc_tie_pairs', '2 * ' + d.toDouble('positives') + ' * negatives')],
    ['average_precision', 'case when positives > 0 then ap_share end'],
    ['average_precision_error_bound', 'case when positives > 0 then greatest(ap_upper - ap_share, ap_share - ap_lower) end']
) %}
{% else %}
{% set _ = metrics.push(['average_precision', d.divide('ap_sum', 'positives')]) %}
{% endif %}
{% set _ = metrics.push(
    ['log_loss', d.divide('log_loss_sum', 'n')],
    ['brier_score', d.divide('brier_sum', 'n')],
    ['ece', d.divide('ece_gap_sum', 'n')],
    ['ks', 'case when positives > 0 and negatives > 0 then greatest(ks_max, 0) end']
) %}
{% if m.scoreBins %}
{% set _ = metrics.push(['ks_error_bound', 'case when positives > 0 and negatives > 0 then greatest(ks_upper, 0) - greatest(ks_max, 0) end']) %}
{% endif %}

{#- The ranking sums of `summary`, which come from the ranks (or score bins), not from cells. -#}
{% set rank_columns = ['auc_pairs_x2', 'ks_max'] %}
{% if m.scoreBins %}
{% set _ = rank_columns.push('auc_tie_pairs', 'ap_share', 'ap_lower', 'ap_upper', 'ks_upper') %}
{% else %}
{% set _ = rank_columns.push('ap_sum') %}
{% endif %}

{#- The columns of `summary` that the metrics read: group_sums() and the ranking sums. -#}
{% set summary_columns = ['positives', 'negatives', 'n', 'sum_score', 'tp', 'fp', 'log_loss_sum', 'brier_sum', 'ece_gap_sum'].concat(rank_columns) %}

{#- The sums of each row's values that need no ranking, for the bins of a group. -#}
{% macro row_sums() %}
        count(*) as n,
        sum(label) as n_positive,
        -- the bin's positives in the units of sum_score, so that |positives - scores| stays exact
        {{ d.femtoSum('label') }} as bin_pos,
        {{ d.femtoSum('score') }} as sum_score,
        sum(case when score >= {{ d.number(m.threshold) }} then label else 0 end) as tp,
        sum(case when score >= {{ d.number(m.threshold) }} then 1 - label else 0 end) as fp,
        {{ d.femtoSum('case when label = 1 then - ln(least(greatest(score, 1e-15), 1 - 1e-15)) else - ln(1 - least(greatest(score, 1e-15), 1 - 1e-15)) end') }} as log_loss_sum,
        {{ d.femtoSum('(score - label) * (score - label)') }} as brier_sum
{%- endmacro %}

{#- The columns of row_sums(): each a count or a sum in d.femtoSum units, so rows of them add up exactly. -#}
{% set row_sum_columns = ['n', 'n_positive', 'bin_pos', 'sum_score', 'tp', 'fp', 'log_loss_sum', 'brier_sum'] %}

{#- row_sums() of several groups of rows added up. -#}
{% macro row_sums_added() %}
{% for c in row_sum_columns %}
        sum({{ c }}) as {{ c }}{{ ',\n' if not loop.last }}
{%- endfor %}
{%- endmacro %}

{#- A group's totals over its calibration bins (rows of row_sums()). -#}
{% macro group_sums() %}
        sum(n_positive) as positives,
        sum(n) - sum(n_positive) as negatives,
        sum(n) as n,
        {{ d.toDouble('sum(sum_score)') }} / 1e15 as sum_score,
        sum(tp) as tp,
        sum(fp) as fp,
        {{ d.toDouble('sum(log_loss_sum)') }} / 1e15 as log_loss_sum,
        {{ d.toDouble('sum(brier_sum)') }} / 1e15 as brier_sum,
        {{ d.toDouble('sum(abs(bin_pos - sum_score))') }} / 1e15 as ece_gap_sum
{%- endmacro %}

{#-
  Regression metrics: where each metric is defined.
  `summary` has one row per group (granularity, window, version, segment, value) and output, with
  these aggregates over the evaluated rows (e = prediction - label):
    n, sum_prediction, sum_label, sum_error, sum_abs_error, sum_sq_error   counts and exact sums
    ss_label, ss_error        sums of squared deviations of the label and of e from their means
    label_min, label_max      to tell constant labels
    n_nonzero, sum_ape        rows with label <> 0 and their sum of |e| / |label| (MAPE)
    sum_sape, sum_abs_label   sum of 2|e| / (|prediction| + |label|) (0 when both are 0); sum of |label|
    max_abs_error, abs_error_p50, abs_error_p90, abs_error_p99   exact order statistics of |e|
  `metrics`: [metric name, value expression, sample size expression] in the order they are written.
-#}
{% set constant = 'label_min = label_max' %}
{% set metrics = [
    ['count', 'n', 'n'],
    ['mean_prediction', d.divide('sum_prediction', 'n'), 'n'],
    ['mean_label', d.divide('sum_label', 'n'), 'n'],
    ['mean_error', d.divide('sum_error', 'n'), 'n'],
    ['mae', d.divide('sum_abs_error', 'n'), 'n'],
    ['mse', d.divide('sum_sq_error', 'n'), 'n'],
    ['rmse', 'sqrt(' + d.divide('sum_sq_error', 'n') + ')', 'n'],
    ['r2', 'case when not (' + constant + ') then 1 - ' + d.divide('sum_sq_error', 'ss_label') + ' end', 'n'],
    ['explained_variance', 'case when not (' + constant + ') then 1 - ' + d.divide('ss_error', 'ss_label') + ' end', 'n'],
    ['mape', d.divide('sum_ape', 'n_nonzero'), 'n_nonzero'],
    ['smape', d.divide('sum_sape', 'n'), 'n'],
    ['wape', d.divide('sum_abs_error', 'sum_abs_label'), 'n'],
    ['median_absolute_error', 'abs_error_p50', 'n'],
    ['max_error', 'max_abs_error', 'n'],
    ['abs_error_p90', 'abs_error_p90', 'n'],
    ['abs_error_p99', 'abs_error_p99', 'n']
] %}

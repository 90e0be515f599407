{#-
  Multiclass-classification metrics: where each metric is defined.
  `per_class` has one row per group and class present in the group's labels or predictions:
    n (the group's rows), support (rows with that label), predicted_count, tp.
  `class_metrics`: per class, qualifier = the class. `window_metrics`: aggregated over the classes
  of a group (macro, weighted) or over its rows; definitions follow scikit-learn with
  zero_division=nan: undefined values are NULL and averages leave them out.
-#}
{% set class_metrics = [
    ['precision', d.divide('tp', 'predicted_count')],
    ['recall', d.divide('tp', 'support')],
    ['f1', d.divide('2 * tp', 'predicted_count + support')],
    ['support', 'support'],
    ['predicted_count', 'predicted_count']
] %}
{#- Aggregates over the classes of a group (from per_class_values). -#}
{% set window_metrics = [
    ['count', 'max(n)'],
    ['accuracy', d.divide('sum(tp)', 'max(n)')],
    ['balanced_accuracy', d.divide(d.exactSum('recall'), 'count(recall)')],
    ['precision_macro', d.divide(d.exactSum('precision'), 'count(precision)')],
    ['recall_macro', d.divide(d.exactSum('recall'), 'count(recall)')],
    ['f1_macro', d.divide(d.exactSum('f1'), 'count(f1)')],
    ['precision_weighted', d.divide(d.exactSum('support * precision'), 'sum(case when precision is not null then support end)')],
    ['recall_weighted', d.divide(d.exactSum('support * recall'), 'sum(case when recall is not null then support end)')],
    ['f1_weighted', d.divide(d.exactSum('support * f1'), 'sum(case when f1 is not null then support end)')],
    ['cohen_kappa', '(' + d.divide('sum(tp)', 'max(n)') + ' - ' + d.divide('sum(support * predicted_count)', 'max(n) * max(n)') + ') / nullif(1 - ' + d.divide('sum(support * predicted_count)', 'max(n) * max(n)') + ', 0)']
] %}

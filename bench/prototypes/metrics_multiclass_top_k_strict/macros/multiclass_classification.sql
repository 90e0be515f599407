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

{#-
  A row's class scores (qualified by `prefix`) summed once, as select columns: hs_score_total, what
  each score is divided by to renormalize it (their sum; 1 when that is within 1e-5 of 1, as
  scikit-learn's np.allclose takes probabilities, so that scores already summing to 1 keep their
  ties: 0.2 of a row whose double sum is 0.9999999999999999, or whose float32 scores sum to 1 - 7.5e-9,
  and 0.2 of one whose sum is 1 are one score), and hs_score_usable (1 when no score is NULL and
  their total is not 0). Written into every p_i, the sum and the NULL test made each statement grow
  with the square of the classes: over BigQuery's 1,024K characters at 108 classes.
-#}
{% macro score_totals(prefix) -%}
{% set scores = [] %}
{% for c in m.classes %}{% set _ = scores.push(prefix + d.quote(c.alias)) %}{% endfor %}
{% set total = '(' + scores.join(' + ') + ')' %}
case when abs({{ total }} - 1) <= 1e-5 then 1 else {{ total }} end as hs_score_total,
        case when {{ scores.join(' is not null and ') }} is not null and {{ total }} <> 0 then 1 else 0 end as hs_score_usable
{%- endmacro %}

{#-
  Each row's score terms, as select columns over its class score columns (qualified by `prefix`, with
  score_totals' columns) and its `label`: usable, p_1, p_2, … (the scores renormalized to sum 1, NULL
  unless usable), p_true (the label's probability, 0 for a label without a score column) and
  has_score (1 when the label has a score column).
-#}
{% macro score_columns(prefix, label) -%}
{% set scores = [] %}
{% for c in m.classes %}{% set _ = scores.push(prefix + d.quote(c.alias)) %}{% endfor %}
{% set total = prefix + 'hs_score_total' %}
{% set usable = prefix + 'hs_score_usable = 1' %}
{{ prefix }}hs_score_usable as usable,
{% for s in scores %}
        case when {{ usable }} then {{ s }} / {{ total }} end as p_{{ loop.index }},
{% endfor %}
        case when {{ usable }} then
            case {{ label }}
{% for c in m.classes %}
                when {{ d.string(c.name) }} then {{ scores[loop.index0] }} / {{ total }}
{% endfor %}
                else 0
            end
        end as p_true,
        case when {{ label }} in ({% for c in m.classes %}{{ d.string(c.name) }}{{ ', ' if not loop.last }}{% endfor %}) then 1 else 0 end as has_score
{%- endmacro %}

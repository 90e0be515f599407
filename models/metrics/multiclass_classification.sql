{% import "macros/sources.sql" as src with context %}
{% import "macros/slices.sql" as slices with context %}
{% import "macros/ranking.sql" as ranking with context %}
{% import "macros/multiclass_classification.sql" as multiclass with context %}
{% set group_keys = 'granularity, window_start, model_version, segment, segment_value' %}
{% set columns = ['predicted_class', 'label'] %}
{% for c in m.classes %}{% set _ = columns.push(d.quote(c.alias)) %}{% endfor %}
-- Multiclass-classification metrics of monitor {{ m.name }}, per window, model version and slice:
-- window-level rows, per-class rows (qualifier = class) and the confusion matrix (qualifier =
-- actual→predicted). Formulas are in macros/multiclass_classification.sql.
with {% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks() }}
),

{% endif %}sliced as (
{{ slices.sliced_rows(columns, "evaluated.label_status = 'observed' and evaluated.predicted_class is not null") }}
),

-- how often each class present in a group is the label, the prediction, and both
per_class as (
    select
        {{ group_keys }},
        class,
        sum(sum(is_label)) over (partition by {{ group_keys }}) as n,
        sum(is_label) as support,
        sum(is_predicted) as predicted_count,
        sum(is_hit) as tp
    from (
        select {{ group_keys }}, label as class, 1 as is_label, 0 as is_predicted, case when label = predicted_class then 1 else 0 end as is_hit
        from sliced
        union all
        select {{ group_keys }}, predicted_class, 0, 1, 0
        from sliced
    ) as class_rows
    group by {{ group_keys }}, class
),

per_class_values as (
    select
        per_class.*,
{% for metric, value in multiclass.class_metrics %}
        {{ d.toDouble(value) }} as {{ metric }}{{ ',' if not loop.last }}
{% endfor %}
    from per_class
),

confusion as (
    select {{ group_keys }}, label, predicted_class, count(*) as pairs, sum(count(*)) over (partition by {{ group_keys }}) as n
    from sliced
    group by {{ group_keys }}, label, predicted_class
){% if m.classes.length %},

{% set p = [] %}
{% for c in m.classes %}{% set _ = p.push('p_' + loop.index) %}{% endfor %}
-- rows whose scores are usable (none NULL, positive total), renormalized to sum 1;
-- p_true is the true class's probability (0 for a class without a score column)
scored as (
    select
        {{ group_keys }},
        label,
        predicted_class,
{% for c in m.classes %}
        {{ d.quote(c.alias) }} / total as {{ p[loop.index0] }},
{% endfor %}
        case label
{% for c in m.classes %}
            when {{ d.string(c.name) }} then {{ d.quote(c.alias) }} / total
{% endfor %}
            else 0
        end as p_true,
        case when label in ({% for c in m.classes %}{{ d.string(c.name) }}{{ ', ' if not loop.last }}{% endfor %}) then 1 else 0 end as has_score
    from (
        select sliced.*, {% for c in m.classes %}{{ d.quote(c.alias) }}{{ ' + ' if not loop.last }}{% endfor %} as total
        from sliced
    ) as with_total
    where total > 0{% for c in m.classes %} and {{ d.quote(c.alias) }} is not null{% endfor %}

),

{% set brier_terms = [] %}
{% for c in m.classes %}{% set _ = brier_terms.push('(' + p[loop.index0] + ' - case when label = ' + d.string(c.name) + ' then 1 else 0 end) * (' + p[loop.index0] + ' - case when label = ' + d.string(c.name) + ' then 1 else 0 end)') %}{% endfor %}
{% set higher = [] %}
{% for c in m.classes %}{% set _ = higher.push('case when ' + p[loop.index0] + ' > p_true then 1 else 0 end') %}{% endfor %}
score_summary as (
    select
        {{ group_keys }},
        count(*) as n_scored,
        {{ d.exactSum('-ln(least(greatest(p_true, 1e-15), 1 - 1e-15))') }} as log_loss_sum,
        -- squared error over the scored classes, plus 1 for a true class without a score column
        {{ d.exactSum(brier_terms | join(' + ') + ' + (1 - has_score)') }} as brier_sum{{ ',' if m.topK.length }}
{% for k in m.topK %}
        sum(case when has_score = 1 and {{ higher | join(' + ') }} < {{ k }} then 1 else 0 end) as top_{{ k }}_hits{{ ',' if not loop.last }}
{% endfor %}
    from scored
    group by {{ group_keys }}
),

-- one-vs-rest: each scored row once per class, positive when that class is its label
class_scores as (
    select {{ group_keys }}, class, score, sum(pos) as pos, count(*) - sum(pos) as neg, sum(predicted) as predicted
    from (
{% for c in m.classes %}
        select
            {{ group_keys }},
            {{ d.string(c.name) }} as class,
            {{ p[loop.index0] }} as score,
            case when label = {{ d.string(c.name) }} then 1 else 0 end as pos,
            case when predicted_class = {{ d.string(c.name) }} then 1 else 0 end as predicted
        from scored
{% if not loop.last %}
        union all
{% endif %}
{% endfor %}
    ) as one_vs_rest
    group by {{ group_keys }}, class, score
),

curve as (
{{ ranking.cumulative_counts('class_scores', group_keys + ', class') }}
),

-- per class present among the scored rows (as label or prediction)
class_auc as (
    select
        {{ group_keys }},
        class,
        max(positives + negatives) as n_scored,
        {{ d.divide('sum(' + ranking.auc_pairs_x2() + ')', '2 * ' + d.toDouble('max(positives)') + ' * max(negatives)') }} as roc_auc
    from curve
    group by {{ group_keys }}, class
    having max(positives) > 0 or sum(predicted) > 0
){% endif %}

{% for metric, value in multiclass.class_metrics %}
select {{ group_keys }}, '{{ metric }}' as metric, class as qualifier, {{ metric }} as value, cast(n as {{ d.types.bigint }}) as sample_size
from per_class_values
union all
{% endfor %}
{% for metric, value in multiclass.window_metrics %}
select {{ group_keys }}, '{{ metric }}', cast(null as {{ d.types.text }}), {{ d.toDouble(value) }}, cast(max(n) as {{ d.types.bigint }})
from per_class_values
group by {{ group_keys }}
union all
{% endfor %}
{% if m.classes.length %}
select {{ group_keys }}, 'roc_auc', class, roc_auc, cast(n_scored as {{ d.types.bigint }})
from class_auc
union all
select
    {{ group_keys }}, 'roc_auc_ovr_macro', cast(null as {{ d.types.text }}),
    case when count(roc_auc) >= 2 then {{ d.divide(d.exactSum('roc_auc'), 'count(roc_auc)') }} end,
    cast(max(n_scored) as {{ d.types.bigint }})
from class_auc
group by {{ group_keys }}
union all
{% set score_metrics = [['log_loss', d.divide('log_loss_sum', 'n_scored')], ['brier_score', d.divide('brier_sum', 'n_scored')]] %}
{% for k in m.topK %}{% set _ = score_metrics.push(['top_' + k + '_accuracy', d.divide('top_' + k + '_hits', 'n_scored')]) %}{% endfor %}
{% for metric, value in score_metrics %}
select {{ group_keys }}, '{{ metric }}', cast(null as {{ d.types.text }}), {{ d.toDouble(value) }}, cast(n_scored as {{ d.types.bigint }})
from score_summary
union all
{% endfor %}
{% endif %}
select {{ group_keys }}, 'confusion', label || '→' || predicted_class, {{ d.toDouble('pairs') }}, cast(n as {{ d.types.bigint }})
from confusion

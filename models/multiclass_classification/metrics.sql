{% import "macros/sources.sql" as src with context %}
{% import "macros/slices.sql" as slices with context %}
{% import "macros/multiclass_classification.sql" as multiclass with context %}
{% import "macros/ranking.sql" as ranking with context %}
{% import "macros/metric_rows.sql" as output with context %}
{% set group_keys = 'group_key' %}
{% set evaluated = "evaluated.label_status = 'observed' and evaluated.predicted_class is not null" %}
{% set p = [] %}
{% for c in m.classes %}{% set _ = p.push('p_' + loop.index) %}{% endfor %}
-- Multiclass-classification metrics of monitor {{ m.name }}, per window, model version and slice:
-- window-level rows, per-class rows (qualifier = class) and the confusion matrix (qualifier =
-- actual→predicted). Formulas are in macros/multiclass_classification.sql.
-- Groups are keyed by one bigint (group_key, macros/slices.sql) until the last step, which names
-- them. With the rank-type windows below, the step took 0.14x of the CPU of the template keyed by
-- five text columns, at 1M on DuckDB (integer keys alone: 0.90x; docs/performance.md).
-- The counts and the sums of each row's own terms (log loss, Brier, top-k hits) come from cells:
-- each evaluated row is counted once per granularity, in a cell of its window, model version,
-- segment values, label and predicted class, and the slices are added up from the cells. Only the
-- one-vs-rest AUC reads each slice's rows.
with {% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks() }}
),

{% endif %}model_versions as (
{{ slices.model_versions() }}
),

{% set cell_columns = ['evaluated.label as label', 'evaluated.predicted_class as predicted_class'] %}
{% if m.classes.length %}{% set _ = cell_columns.push(multiclass.score_columns('evaluated.', 'evaluated.label')) %}{% endif %}
-- each evaluated row once per granularity, with its score terms (macros/multiclass_classification.sql)
{% if m.classes.length %}
{% set scored = '(\n        select evaluated.*,\n        ' + multiclass.score_totals('evaluated.') + '\n        from ' + rel('evaluations') + ' as evaluated\n    )' %}
{% endif %}
cell_rows as (
{{ slices.cell_rows(cell_columns, evaluated, m.classes.length > 0, scored) }}
),

{% set cell_keys = ['window_start', 'base_key'] %}
{% for s in m.segments %}{% set _ = cell_keys.push('value_' + loop.index) %}{% endfor %}
{% set _ = cell_keys.push('label', 'predicted_class') %}
{% set pair_sums = ['pairs'] %}
{% if m.classes.length %}
{% set _ = pair_sums.push('n_scored', 'log_loss_sum', 'brier_sum') %}
{% for k in m.topK %}{% set _ = pair_sums.push('top_' + k + '_hits') %}{% endfor %}
{% set brier_terms = [] %}
{% for c in m.classes %}{% set _ = brier_terms.push('(' + p[loop.index0] + ' - case when label = ' + d.string(c.name) + ' then 1 else 0 end) * (' + p[loop.index0] + ' - case when label = ' + d.string(c.name) + ' then 1 else 0 end)') %}{% endfor %}
{% set higher = [] %}
{% set tied = [] %}
{% for c in m.classes %}{% set _ = higher.push('case when ' + p[loop.index0] + ' > p_true then 1 else 0 end') %}{% set _ = tied.push('case when ' + p[loop.index0] + ' = p_true then 1 else 0 end') %}{% endfor %}
{# the classes scoring higher than a row's true class, and those scoring the same (the true class among them) #}
{% set n_higher = '(' + higher | join(' + ') + ')' %}
{% set n_tied = '(' + tied | join(' + ') + ')' %}
{% endif %}
-- one cell per window, model version, combination of segment values, label and predicted class:
-- its rows, and the sums of their score terms (over the usable rows; NULL without any)
cells as (
    select
        {{ cell_keys | join(', ') }},
        count(*) as pairs{{ ',' if m.classes.length }}
{% if m.classes.length %}
        sum(usable) as n_scored,
        {{ d.exactSum('case when usable = 1 then -ln(least(greatest(p_true, 1e-15), 1 - 1e-15)) end') }} as log_loss_sum,
        -- squared error over the scored classes, plus 1 for a true class without a score column
        {{ d.exactSum(brier_terms | join(' + ') + ' + (1 - has_score)') }} as brier_sum{{ ',' if m.topK.length }}
{% for k in m.topK %}
        -- a row's hit: 1 when the classes scoring higher than its true class and those tied with it fit
        -- in k, 0 when the higher ones alone fill k, else the share of the tied ones that fit: what an
        -- order of the ties drawn at random gives on average (uniform scores over 3 classes: 1/3 at k = 1)
        {{ d.femtoSum('case when usable = 1 and has_score = 1 then case when ' + n_higher + ' >= ' + k + ' then 0 when ' + n_higher + ' + ' + n_tied + ' <= ' + k + ' then 1 else ' + d.divide(k + ' - ' + n_higher, n_tied) + ' end else 0 end') }} as top_{{ k }}_hits{{ ',' if not loop.last }}
{% endfor %}
{% endif %}
    from cell_rows
    group by {{ cell_keys | join(', ') }}
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
{{ slices.keyed_cells('cells', ['label', 'predicted_class'].concat(pair_sums)) }}
),

-- per group and (label, predicted class) pair: its rows and sums, added up from the cells
slice_pairs as (
    select
        {{ slices.group_key('window_start', 'slice_key') }} as group_key,
        window_start,
        slice_key,
        label,
        predicted_class,
{% for c in pair_sums %}
        sum({{ c }}) as {{ c }}{{ ',' if not loop.last }}
{% endfor %}
    from keyed_cells
    group by window_start, slice_key, label, predicted_class
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
        select {{ group_keys }}, label as class, pairs as is_label, 0 as is_predicted, case when label = predicted_class then pairs else 0 end as is_hit
        from slice_pairs
        union all
        select {{ group_keys }}, predicted_class, 0, pairs, 0
        from slice_pairs
    ) as class_rows
    group by {{ group_keys }}, class
),

confusion as (
    select {{ group_keys }}, label, predicted_class, pairs, sum(pairs) over (partition by {{ group_keys }}) as n
    from slice_pairs
){% if m.classes.length %},

-- every group gets these rows; with no usable scores their values are NULL
score_summary as (
    select
        {{ group_keys }},
{% for c in pair_sums.slice(1) %}
        sum({{ c }}) as {{ c }}{{ ',' if not loop.last }}
{% endfor %}
    from slice_pairs
    group by {{ group_keys }}
),

-- the usable rows under each of their slices' keys, with their renormalized scores
sliced as (
{{ slices.sliced_cell_rows(['label'].concat(p), 'usable = 1') }}
),

-- One-vs-rest on the usable rows, class by class: each row positive when the class is its label. As
-- in the binary step, rank-type windows (macros/ranking.sql) give the cumulative counts from the
-- sort alone: rows of the group scored below (cnt_lt) and at or below (cnt_le) each row, then the
-- same among the positives, ranked apart. Running sums over the distinct scores instead took 35 of
-- the step's 47 s of operator CPU at 1M on DuckDB (docs/performance.md). Each class is sorted on its
-- own: one sort of every row under every class spilled to disk on Postgres at 1M.
positive_ranks as (
{% for c in m.classes %}
    select
        {{ group_keys }}, class_index, cnt_lt, cnt_le, n_all,
        {{ ranking.rank_counts(group_keys, 'pos_lt', 'pos_le', 'positives') }}
    from (
        select
            {{ group_keys }},
            class_index,
            score,
            pos,
            {{ ranking.rank_counts(group_keys, 'cnt_lt', 'cnt_le', 'n_all') }}
        from (
            select {{ group_keys }}, {{ loop.index }} as class_index, {{ p[loop.index0] }} as score, case when label = {{ d.string(c.name) }} then 1 else 0 end as pos
            from sliced
        ) as class_rows
    ) as ranked
    where pos = 1
{% if not loop.last %}
    union all
{% endif %}
{% endfor %}
),

-- one-vs-rest ROC AUC: twice the pairs each positive wins (a tie counts one half), over twice the
-- pairs; a class without positives in the group has no row (its AUC is undefined)
class_auc as (
    select
        {{ group_keys }},
        case class_index{% for c in m.classes %} when {{ loop.index }} then {{ d.string(c.name) }}{% endfor %} end as class,
        {{ d.divide('sum((cnt_lt - pos_lt) + (cnt_le - pos_le))', '2 * ' + d.toDouble('max(positives)') + ' * max(n_all - positives)') }} as roc_auc
    from positive_ranks
    group by {{ group_keys }}, class_index
){% endif %},

-- per class present in a group: the counting metrics, and its ROC AUC when it has a score column
per_class_values as (
    select
        {{ group_keys }},
        class,
        max(n) as n,
        max(support) as support,
        max(predicted_count) as predicted_count,
        max(tp) as tp,
        max(roc_auc) as roc_auc,
        max(has_score_column) as has_score_column
    from (
        select {{ group_keys }}, class, n, support, predicted_count, tp, cast(null as {{ d.types.double }}) as roc_auc,
            case when class in ({% for c in m.classes %}{{ d.string(c.name) }}{{ ', ' if not loop.last }}{% else %}null{% endfor %}) then 1 else 0 end as has_score_column
        from per_class
{% if m.classes.length %}
        union all
        select {{ group_keys }}, class, null, null, null, null, roc_auc, 1
        from class_auc
{% endif %}
    ) as class_parts
    group by {{ group_keys }}, class
    -- a scored class that is neither a label nor a prediction of the group has no rows
    having max(class_parts.n) is not null
),

per_class_metrics as (
    select
        per_class_values.*{% for metric, value in multiclass.class_metrics %}{% if value != metric %},
        {{ d.toDouble(value) }} as {{ metric }}{% endif %}{% endfor %}

    from per_class_values
){% if m.classes.length %},

-- the score-based window rows: the sums over usable rows, and the one-vs-rest macro average over
-- the classes present in the labels that have a score column (NULL with fewer than two, or when
-- one of them has no AUC because its label rows had no usable scores)
score_rows as (
    select
        {{ group_keys }},
        max(n_scored) as n_scored,
        max(log_loss_sum) as log_loss_sum,
        max(brier_sum) as brier_sum,
{% for k in m.topK %}
        max(top_{{ k }}_hits) as top_{{ k }}_hits,
{% endfor %}
        max(auc_classes) as auc_classes,
        max(auc_defined) as auc_defined,
        max(auc_sum) as auc_sum
    from (
        select
            {{ group_keys }}, n_scored, log_loss_sum, brier_sum,{% for k in m.topK %} top_{{ k }}_hits,{% endfor %}

            null as auc_classes, null as auc_defined, null as auc_sum
        from score_summary
        union all
        select
            {{ group_keys }}, null, null, null,{% for k in m.topK %} null,{% endfor %}

            count(case when support > 0 and has_score_column = 1 then 1 end),
            count(case when support > 0 and has_score_column = 1 then roc_auc end),
            {{ d.exactSum('case when support > 0 and has_score_column = 1 then roc_auc end') }}
        from per_class_metrics
        group by {{ group_keys }}
    ) as parts
    group by {{ group_keys }}
){% endif %},

-- every metric row, under its group's key
keyed_metrics as (
{% set class_rows = [] %}
{% for metric, value in multiclass.class_metrics %}{% set _ = class_rows.push([metric, metric]) %}{% endfor %}
{% set _ = class_rows.push(['roc_auc', 'roc_auc']) %}
{{ output.metric_rows(class_rows, 'per_class_metrics', sample_size='n', qualifier='class', keys=group_keys, union_after=true) -}}
{{ output.metric_rows(multiclass.window_metrics, 'per_class_metrics', sample_size='max(n)', keys=group_keys, group_by=group_keys, union_after=true) -}}
{% if m.classes.length %}
{% set score_metrics = [
    ['log_loss', d.divide('log_loss_sum', 'n_scored')],
    ['brier_score', d.divide('brier_sum', 'n_scored')],
    ['roc_auc_ovr_macro', 'case when auc_classes >= 2 and auc_defined = auc_classes then ' + d.divide('auc_sum', 'auc_classes') + ' end']
] %}
{% for k in m.topK %}{% set _ = score_metrics.push(['top_' + k + '_accuracy', d.divide(d.toDouble('top_' + k + '_hits') + ' / 1e15', 'n_scored')]) %}{% endfor %}
{{ output.metric_rows(score_metrics, 'score_rows', sample_size='n_scored', keys=group_keys, union_after=true) -}}
{% endif %}
{{ output.metric_rows([['confusion', 'pairs']], 'confusion', sample_size='n', qualifier="label || '→' || predicted_class", keys=group_keys) -}}
),

group_slices as (
    select group_key, window_start, slice_key
    from slice_pairs
    group by group_key, window_start, slice_key
),

named_groups as (
{{ slices.slice_groups('group_slices', ['group_key']) }}
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

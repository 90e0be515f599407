{% import "macros/slices.sql" as slices with context %}
{% import "macros/binary_classification.sql" as binary with context %}
{% import "macros/ranking.sql" as ranking with context %}
{% import "macros/metric_rows.sql" as output with context %}
{% set group_keys = 'window_start, slice_key' %}
-- Binary-classification metrics of monitor {{ m.name }} (threshold {{ m.threshold }}), per window,
-- model version and slice. Exact ranking metrics (ROC AUC, average precision, KS) come from the
-- ranks of each row in its group, or with approximate_ranking from score bins with error bounds;
-- formulas are in macros/binary_classification.sql.
-- Sums of doubles are exact, in integer units of 1e-15 (d.femtoSum: every addend here is below 35),
-- so that the values never depend on row order.
-- Groups are keyed by integers until the last step (slice keys and group_key: macros/slices.sql).
with {% if m.segments.length %}segment_ranks as (
{{ slices.segment_ranks() }}
),

{% endif %}model_versions as (
{{ slices.model_versions() }}
),

{% set calibration_bin = 'least(greatest(floor(score * 10), 0), 9)' %}
{% if m.scoreBins %}
{% set k = m.scoreBins // 10 %}
{% set score_bin = calibration_bin + ' * ' + k + ' + least(greatest(floor((score * 10 - ' + calibration_bin + ') * ' + k + '), 0), ' + (k - 1) + ')' %}
{% endif %}
-- The sums that need no ranking (counts, score total, threshold counts, log loss, Brier, calibration)
-- are each row's own terms: every evaluated row is counted once per granularity, in a cell of its
-- window, model version, segment values (as slices fold them: value indexes of macros/slices.sql) and
-- calibration bin, and the slices are then added up from the cells. Every sum is of integers (counts,
-- d.femtoSum units), so adding cells gives the rows' sums exactly.
-- Computing them on the sliced rows instead took each row's terms once per slice (docs/performance.md).
{% if m.scoreBins %}
-- approximate_ranking: the ranking metrics come from {{ m.scoreBins }} equal-width score bins (the
-- calibration bins, each cut in {{ k }}), aggregated without a sort, instead of from ranks. A bin is treated
-- as one tied score; each metric's error bound is how far the exact value can be from that
-- (docs/semantics.md, section 5: approximate ranking). Score bins are counted per slice, apart from the
-- cells of the row sums: cells keyed by score bin too are about as many as the rows, and carrying the
-- eight sums through them cost what the sorts save (docs/performance.md, approximate ranking).
{% endif %}
cell_rows as (
{% set cell_columns = [calibration_bin + ' as calibration_bin'] %}
{% if m.scoreBins %}{% set _ = cell_columns.push(score_bin + ' as score_bin') %}{% endif %}
{{ slices.cell_rows(cell_columns.concat(['score', 'label']), 'evaluated.label is not null and evaluated.score is not null', not m.scoreBins) }}
),

-- one cell per combination of every segment's value and calibration bin (at most ten per combination)
cells as (
    select
        window_start, base_key,{% for s in m.segments %} value_{{ loop.index }},{% endfor %} calibration_bin,
{{ binary.row_sums() }}
    from cell_rows
    group by window_start, base_key,{% for s in m.segments %} value_{{ loop.index }},{% endfor %} calibration_bin
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
{{ slices.keyed_cells('cells', ['calibration_bin'].concat(binary.row_sum_columns)) }}
),

-- the ten calibration bins of each group, with the sums that need no ranking
bins as (
    select
        {{ group_keys }},
        calibration_bin as bin,
{{ binary.row_sums_added() }}
    from keyed_cells
    group by {{ group_keys }}, calibration_bin
),

-- each group's totals
totals as (
    select
        {{ group_keys }},
{{ binary.group_sums() }}
    from bins
    group by {{ group_keys }}
),

{% if m.scoreBins %}
-- positives and rows per score bin of each group: one aggregate of two counts per slice over the cell
-- rows, so each holds at most windows x versions x values x bins groups, however many rows there are
{% set X = slices.key_sizes().split(',')[2] | int %}
scored_bins as (
    select window_start, base_key as slice_key, score_bin, count(*) as n, sum(label) as n_positive
    from cell_rows
    group by window_start, base_key, score_bin
{% for s in m.segments %}
    union all
    select window_start, base_key + {{ loop.index * X }} + value_{{ loop.index }}, score_bin, count(*), sum(label)
    from cell_rows
    group by window_start, base_key, value_{{ loop.index }}, score_bin
{% endfor %}
),

-- per bin: positives and rows in it or in a higher bin, and the group's totals (as integers: a sum of
-- integers can be a decimal, slow to compute with). The running sums add counts as doubles, exact for
-- integers below 2^53, which the window adds faster than integers widened to 128 bits: 0.92-0.96x of
-- the step's CPU on DuckDB and Postgres (docs/performance.md, approximate ranking).
cumulative as (
    select
        scored_bins.score_bin,
        scored_bins.n,
        scored_bins.n_positive,
        totals.window_start,
        totals.slice_key,
        cast(totals.positives as {{ d.types.bigint }}) as positives,
        cast(totals.n as {{ d.types.bigint }}) as n_all,
        cast(sum(cast(scored_bins.n_positive as {{ d.types.double }})) over (partition by scored_bins.window_start, scored_bins.slice_key order by scored_bins.score_bin desc rows between unbounded preceding and current row) as {{ d.types.bigint }}) as pos_ge,
        cast(sum(cast(scored_bins.n as {{ d.types.double }})) over (partition by scored_bins.window_start, scored_bins.slice_key order by scored_bins.score_bin desc rows between unbounded preceding and current row) as {{ d.types.bigint }}) as n_ge
    from scored_bins
    inner join totals
        on totals.window_start = scored_bins.window_start
        and totals.slice_key = scored_bins.slice_key
),

-- each score bin's terms, with A = positives and C = rows in higher bins, p = its positives, q = its negatives
rank_terms as (
    select
        {{ group_keys }},
        -- twice the pairs a positive wins, each pair inside a bin counted as a tie
        sum(n_positive * (2 * ((n_all - positives) - (n_ge - pos_ge)) + (n - n_positive))) as auc_pairs_x2,
        -- the pairs inside bins: each can be a win (2) or a loss (0) instead of a tie (1)
        sum(n_positive * (n - n_positive)) as auc_tie_pairs,
        -- average precision with the bin as one tied score, as a share of P: p / P * (A + p) / (C + p + q)
        {{ d.toDouble(d.femtoSum(d.divide('n_positive * pos_ge', 'n_ge * positives'))) }} / 1e15 as ap_share,
        -- its bounds whatever the order inside the bin: p / P * (A + 1) / (C + q + 1) and p / P * (A + p) / (C + p)
        {{ d.toDouble(d.femtoSum(d.divide('n_positive * (pos_ge - n_positive + 1)', '((n_ge - n_positive) + 1) * positives'))) }} / 1e15 as ap_lower,
        {{ d.toDouble(d.femtoSum(d.divide('n_positive * pos_ge', '(n_ge - (n - n_positive)) * positives'))) }} / 1e15 as ap_upper,
        -- TPR - FPR at the threshold just below the bin; inside it, at most q / N higher
        max({{ d.divide('pos_ge', 'positives') }} - {{ d.divide('n_ge - pos_ge', 'n_all - positives') }}) as ks_max,
        max({{ d.divide('pos_ge', 'positives') }} - {{ d.divide('(n_ge - pos_ge) - (n - n_positive)', 'n_all - positives') }}) as ks_upper
    from cumulative
    group by {{ group_keys }}
),
{% else %}
sliced as (
    -- each row under each of its slices' keys, from the cell rows, which are computed once
{{ slices.sliced_cell_rows(['score', 'label']) }}
),

-- Rank-type windows (macros/ranking.sql) give every cumulative count the ranking metrics need, ties included:
--   cnt_lt / cnt_le: rows of the group scored below / at or below this row's score
--   pos_lt / pos_le: positives of the group scored below / at or below it (on positive rows only)
ranked as (
    select
        group_key,
        score,
        label,
        {{ ranking.rank_counts('group_key', 'cnt_lt', 'cnt_le', 'n_all') }}
    from sliced
),

-- Every ranking metric sums or maximizes over the positives (KS's maximum over all scores is reached
-- at a positive's score, or is 0), so only they are kept, and the second sort ranks only them.
curve as (
    select
        group_key, score, cnt_lt, cnt_le, n_all,
        {{ ranking.rank_counts('group_key', 'pos_lt', 'pos_le', 'positives') }}
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
        {{ d.toDouble(d.femtoSum(d.divide('positives - pos_lt', 'n_all - cnt_lt'))) }} / 1e15 as ap_sum,
        -- TPR - FPR at threshold score >= s, at each positive's score s
        max({{ d.divide('positives - pos_lt', 'positives') }} - {{ d.divide('(n_all - positives) - (cnt_lt - pos_lt)', 'n_all - positives') }}) as ks_max
    from curve
    group by group_key
),
{% endif %}

-- a group without positives has no rank terms: its ranking metrics are undefined
summary as (
    select
        totals.*,
        rank_terms.{{ binary.rank_columns | join(', rank_terms.') }}
    from totals
    left join rank_terms
{% if m.scoreBins %}
        on rank_terms.window_start = totals.window_start
        and rank_terms.slice_key = totals.slice_key
{% else %}
        on rank_terms.group_key = {{ slices.group_key('totals.window_start', 'totals.slice_key') }}
{% endif %}
),

named_groups as (
{{ slices.slice_groups('summary', binary.summary_columns) }}
)

{{ output.metric_rows(binary.metrics, 'named_groups', sample_size='n') -}}

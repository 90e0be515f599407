{% import "macros/sources.sql" as src with context %}
{% set f = m.forecast %}
{% set lag = f.seasonality * f.unitSeconds %}
-- MASE's scale for monitor {{ m.name }}: per granularity, window and series with an evaluated
-- forecast, the mean absolute change between actuals {{ f.seasonality }} {{ f.horizonUnit }}(s) apart
-- (the in-sample error of the seasonal-naive forecast) over the pairs before the window start.
-- NULL without such a pair or when it is 0 (docs/semantics.md §5d). One ordered pass per series:
-- window starts and pairs in one stream, running sums up to each window start, pairs at the
-- same time after it (strictly before the window).
{% if run.mase_history_at %}
-- The pairs before {{ run.mase_history_at }} are not read again: their count and exact sum per
-- series are the stored history (the previous run's checkpoint), added to the running sums.
{% endif %}
-- The rows with granularity NULL are this run's checkpoint, per series the count and exact sum of
-- the pairs before {{ run.mase_checkpoint }}: the write step stores them for the next run.
with actuals as (
    select {{ src.key_list() }}, actual_time, actual
    from {{ rel('outcome_events') }}
    where actual_rank = 1
),

pairs as (
    select {{ src.key_list('actuals.') }}, actuals.actual_time, abs(actuals.actual - earlier.actual) as abs_change
    from actuals
    inner join actuals as earlier
        on {{ src.key_match('earlier', 'actuals') }}
        and earlier.actual_time = {{ d.addSeconds('actuals.actual_time', -lag) }}
),

stream as (
{% for g in m.granularities %}
    select distinct
        '{{ g }}' as granularity,
        {{ src.key_list() }},
        {{ d.windowStart(g, 'target_time') }} as at_time,
        0 as is_pair,
        cast(null as {{ d.types.double }}) as abs_change
    from {{ rel('evaluations') }}
    where label_status = 'observed' and prediction is not null
    union all
{% endfor %}
    select cast(null as {{ d.types.text }}), {{ src.key_list() }}, actual_time, 1, abs_change
    from pairs
),

running as (
    select
        granularity,
        {{ src.key_list() }},
        at_time,
        is_pair,
        {{ d.exactSumOver('abs_change', 'partition by ' + src.key_list() + ' order by at_time, is_pair rows between unbounded preceding and current row') }} as sum_abs_change,
        sum(is_pair) over (
            partition by {{ src.key_list() }} order by at_time, is_pair rows between unbounded preceding and current row
        ) as pairs_before
    from stream
),

{% if run.mase_history_at %}
history as (
    select {{ src.key_list() }}, history_pairs, history_sum
    from {{ tables.mase_history }}
    where checkpoint_at = {{ run.mase_history_at }}
        and history_pairs > 0
),

{% endif %}
checkpoint as (
    select {{ src.key_list() }}, cast(sum(history_pairs) as {{ d.types.bigint }}) as history_pairs, {{ d.addExactSums('history_sum') }} as history_sum
    from (
        select {{ src.key_list() }}, count(*) as history_pairs, {{ d.exactSum('abs_change') }} as history_sum
        from pairs
        where actual_time < {{ run.mase_checkpoint }}
        group by {{ src.key_list() }}
{% if run.mase_history_at %}
        union all
        select {{ src.key_list() }}, history_pairs, history_sum
        from history
{% endif %}
    ) as parts
    group by {{ src.key_list() }}
    union all
    -- a row without a series: a checkpoint with no series is then told from none (models/forecast/plan.sql)
    select {% for k in m.predictions.key %}null, {% endfor %}0, null
){% if run.mase_history_at %},

-- the running sums with the stored history before them
with_history as (
    select
        running.granularity,
        {{ src.key_list('running.') }},
        running.at_time,
        running.is_pair,
        coalesce(running.sum_abs_change, 0) + coalesce(history.history_sum, 0) as sum_abs_change,
        running.pairs_before + coalesce(history.history_pairs, 0) as pairs_before
    from running
    left join history
        on {{ src.key_match('history', 'running') }}
    where running.is_pair = 0
){% endif %}


-- the checkpoint first, so that its exact types are the history columns' types
select
    cast(null as {{ d.types.text }}) as granularity,
    {{ run.mase_checkpoint }} as window_start,
    {{ src.key_list() }},
    cast(null as {{ d.types.double }}) as scale,
    history_pairs,
    history_sum
from checkpoint
union all
select
    granularity,
    at_time,
    {{ src.key_list() }},
    case when pairs_before > 0 and sum_abs_change > 0 then {{ d.toDouble('sum_abs_change') }} / pairs_before end,
    null,
    null
from {{ 'with_history' if run.mase_history_at else 'running' }}
where is_pair = 0

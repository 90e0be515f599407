{% import "macros/sources.sql" as src with context %}
{% set f = m.forecast %}
{% set lag = f.seasonality * f.unitSeconds %}
-- MASE's scale for monitor {{ m.name }}: per granularity, window and series with an evaluated
-- forecast, the mean absolute change between actuals {{ f.seasonality }} {{ f.horizonUnit }}(s) apart
-- (the in-sample error of the seasonal-naive forecast) over the pairs before the window start.
-- NULL without such a pair or when it is 0 (docs/semantics.md §5d). One ordered pass per series:
-- window starts and pairs in one stream, running sums up to each window start, pairs at the
-- same time after it (strictly before the window).
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
)

select
    granularity,
    at_time as window_start,
    {{ src.key_list() }},
    case when pairs_before > 0 and sum_abs_change > 0 then {{ d.toDouble('sum_abs_change') }} / pairs_before end as scale
from running
where is_pair = 0

-- One row per kept prediction of monitor keep_probability with its label and label status: what a data
-- scientist drills into, and a ready training set.
with counting as (
    select
        prediction_id,
        observed_at,
        label,
        row_number() over (
            partition by prediction_id
            order by
                observed_at desc,
                label desc nulls last
        ) as outcome_rank
    from hs_keep_probability__outcome_matches
    where outcome_class = 'counting'
)

select
    predictions.prediction_id,
    predictions.predicted_at,
    predictions.model_version,
    predictions.score,
    predictions.customer_type,
    predictions.region,
    case
        when counting.observed_at is not null then counting.label
    end as label,
    case
        when counting.observed_at is not null then 'observed'
        when '2026-11-21 00:00:00'::timestamp_ntz < dateadd(second, 1209600, predictions.predicted_at) then 'pending'
        else 'missing'
    end as label_status,
    counting.observed_at,
    cast(date_part(epoch_microsecond, counting.observed_at) - date_part(epoch_microsecond, predictions.predicted_at) as float) / 3600000000 as label_delay_hours
from hs_keep_probability__prediction_events as predictions
left join counting
    on counting.prediction_id = predictions.prediction_id
    and counting.outcome_rank = 1
where predictions.duplicate_rank = 1
union all
-- The first days of the windows this run recomputes, before its range: no new data can change
-- their rows (docs/semantics.md section 7), so the stored ones are read instead of evaluating those
-- days again. The metric step ranks them with the rest.
select * from hindsight.keep_probability__evaluations
where predicted_at >= '2026-11-09 00:00:00'::timestamp_ntz
    and predicted_at < '2026-11-13 00:00:00'::timestamp_ntz

-- One row per kept prediction of monitor resale with its label and label status: what a data
-- scientist drills into, and a ready training set.
with counting as (
    select
        item_id,
        observed_at,
        sale_price,
        days_listed,
        row_number() over (
            partition by item_id
            order by
                observed_at desc,
                sale_price desc nulls last,
                days_listed desc nulls last
        ) as outcome_rank
    from hs_resale__outcome_matches
    where outcome_class = 'counting'
)

select
    predictions.item_id,
    predictions.predicted_at,
    predictions.model_version,
    predictions.predicted_price,
    predictions.predicted_days,
    predictions.category,
    case
        when counting.observed_at is not null then counting.sale_price
    end as sale_price,
    case
        when counting.observed_at is not null then counting.days_listed
    end as days_listed,
    case
        when counting.observed_at is not null then 'observed'
        when '2026-11-21 00:00:00'::timestamp_ntz < dateadd(second, 2592000, predictions.predicted_at) then 'pending'
        else 'missing'
    end as label_status,
    counting.observed_at,
    cast(date_part(epoch_microsecond, counting.observed_at) - date_part(epoch_microsecond, predictions.predicted_at) as float) / 3600000000 as label_delay_hours
from hs_resale__prediction_events as predictions
left join counting
    on counting.item_id = predictions.item_id
    and counting.outcome_rank = 1
where predictions.duplicate_rank = 1

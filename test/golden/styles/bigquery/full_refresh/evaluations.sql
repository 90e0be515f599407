-- One row per kept prediction of monitor favorite_category with its label and label status: what a data
-- scientist drills into, and a ready training set.
with counting as (
    select
        `request_id`,
        observed_at,
        label,
        row_number() over (
            partition by `request_id`
            order by
                observed_at desc,
                label desc nulls last
        ) as outcome_rank
    from `hs_favorite_category__outcome_matches`
    where outcome_class = 'counting'
)

select
    predictions.`request_id`,
    predictions.predicted_at,
    predictions.model_version,
    predictions.predicted_class,
    predictions.`p_shirt`,
    predictions.`p_pants`,
    predictions.`p_dress`,
    predictions.`p_knitwear`,
    predictions.`p_outerwear`,
    predictions.`customer_type`,
    predictions.`region`,
    case
        when counting.observed_at is not null then counting.label
    end as label,
    case
        when counting.observed_at is not null then 'observed'
        when timestamp '2026-11-21 00:00:00' < timestamp_add(predictions.predicted_at, interval 1209600 second) then 'pending'
        else 'missing'
    end as label_status,
    counting.observed_at,
    timestamp_diff(counting.observed_at, predictions.predicted_at, microsecond) / 3600000000 as label_delay_hours
from `hs_favorite_category__prediction_events` as predictions
left join counting
    on counting.`request_id` = predictions.`request_id`
    and counting.outcome_rank = 1
where predictions.duplicate_rank = 1

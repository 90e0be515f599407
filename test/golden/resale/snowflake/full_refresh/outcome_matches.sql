-- Outcome events classified against the kept prediction of their key: counting (inside the
-- prediction's 30 days window), late, early (at most 30 days before it) or orphan.
-- A full refresh keeps every event; an incremental run only those it counts (below).
with predictions as (
    select item_id, predicted_at, model_version
    from hs_resale__prediction_events
    where duplicate_rank = 1
),

classified as (
    select
        outcomes.item_id,
        outcomes.observed_at,
        outcomes.sale_price,
        outcomes.days_listed,
        predictions.predicted_at,
        predictions.model_version,
        case
            when predictions.predicted_at is null then 'orphan'
            when outcomes.observed_at < dateadd(second, -2592000, predictions.predicted_at) then 'orphan'
            when outcomes.observed_at < predictions.predicted_at then 'early'
            when outcomes.observed_at <= dateadd(second, 2592000, predictions.predicted_at) then 'counting'
            else 'late'
        end as outcome_class
    from hs_resale__outcome_events as outcomes
    left join predictions
        on predictions.item_id = outcomes.item_id
)
select * from classified

-- Outcome events classified against the kept prediction of their key: counting (inside the
-- prediction's 14 days window), late, early (at most 14 days before it) or orphan.
-- A full refresh keeps every event; an incremental run only those it counts (below).
with predictions as (
    select "request_id", predicted_at, model_version
    from "hs_favorite_category__prediction_events"
    where duplicate_rank = 1
),

classified as (
    select
        outcomes."request_id",
        outcomes.observed_at,
        outcomes.label,
        predictions.predicted_at,
        predictions.model_version,
        case
            when predictions.predicted_at is null then 'orphan'
            when outcomes.observed_at < predictions.predicted_at + interval '-1209600 seconds' then 'orphan'
            when outcomes.observed_at < predictions.predicted_at then 'early'
            when outcomes.observed_at <= predictions.predicted_at + interval '1209600 seconds' then 'counting'
            else 'late'
        end as outcome_class
    from "hs_favorite_category__outcome_events" as outcomes
    left join predictions
        on predictions."request_id" = outcomes."request_id"
)
select * from classified

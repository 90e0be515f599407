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
),

-- An incremental run keeps only what its windows count: outcomes of the predictions it evaluates
-- again, orphans observed from timestamp '2026-11-09 00:00:00' on, and the late outcomes new since the previous run
-- (as of timestamp '2026-11-20 00:00:00') of predictions kept before that, which data_quality.sql counts for
-- the write step to add to their windows' stored rows. An older outcome of a prediction kept before
-- the range is counted in stored rows already, but it is no orphan: the evaluations table
-- is read for those keys alone (reading it all to match every outcome was most of this step). "Before"
-- is the test of kept_earlier in prediction_events.sql: a key is either kept there or evaluated again here.
claimed_earlier as (
    select unmatched."request_id", kept.predicted_at, kept.model_version
    from (
        select distinct "request_id"
        from classified
        where predicted_at is null
            and observed_at >= timestamp '2026-11-09 00:00:00'
    ) as unmatched
    inner join "hindsight"."favorite_category__evaluations" as kept
        on kept."request_id" = unmatched."request_id"
        and kept.predicted_at < timestamp '2026-11-09 00:00:00'
)

select
    classified."request_id",
    classified.observed_at,
    classified.label,
    case when claimed_earlier."request_id" is not null then claimed_earlier.predicted_at else classified.predicted_at end as predicted_at,
    case when claimed_earlier."request_id" is not null then claimed_earlier.model_version else classified.model_version end as model_version,
    -- such an outcome is late: the range starts at least 14 days before the previous as-of
    case when claimed_earlier."request_id" is not null then 'late' else classified.outcome_class end as outcome_class
from classified
left join claimed_earlier
    on claimed_earlier."request_id" = classified."request_id"
where classified.predicted_at is not null
    or (classified.observed_at >= timestamp '2026-11-09 00:00:00'
        and claimed_earlier."request_id" is null)
    or (claimed_earlier."request_id" is not null
        and classified.observed_at > timestamp '2026-11-20 00:00:00'
        and classified.observed_at > claimed_earlier.predicted_at + interval '1209600 seconds')

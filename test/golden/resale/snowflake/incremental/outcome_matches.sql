-- Outcome events classified against the kept prediction of their key: counting (inside the
-- prediction's 30 days window), late, early (at most 30 days before it) or orphan.
-- A full refresh keeps every event; an incremental run only those its recomputed windows count (below).
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
),

-- An incremental run keeps only what its windows count: outcomes of the recomputed predictions, and
-- orphans observed from '2026-11-02 00:00:00'::timestamp_ntz on. An outcome of a prediction kept before that
-- counts in an earlier window, which is not rewritten, but it is no orphan: the evaluations table
-- is read for those keys alone (reading it all to match every outcome was most of this step). "Before"
-- is the test of kept_earlier in prediction_events.sql: a key is either kept there or recomputed here.
claimed_earlier as (
    select unmatched.item_id
    from (
        select distinct item_id
        from classified
        where predicted_at is null
            and observed_at >= '2026-11-02 00:00:00'::timestamp_ntz
    ) as unmatched
    inner join hindsight.resale__evaluations as kept
        on kept.item_id = unmatched.item_id
        and kept.predicted_at < '2026-11-02 00:00:00'::timestamp_ntz
)

select classified.*
from classified
left join claimed_earlier
    on claimed_earlier.item_id = classified.item_id
where classified.predicted_at is not null
    or (classified.observed_at >= '2026-11-02 00:00:00'::timestamp_ntz
        and claimed_earlier.item_id is null)

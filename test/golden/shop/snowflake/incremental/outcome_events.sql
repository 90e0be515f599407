-- Outcome events of monitor keep_probability: the team's ground truth as it is, keyed like the
-- predictions, labels as 1/0, nothing after the run's as-of time.
select
    prediction_id,
    cast(convert_timezone('UTC', cast(checked_in_at as timestamp_tz)) as timestamp_ntz) as observed_at,
    case when cast(kept as number) in (0, 1) or cast(kept as number) is null then cast(kept as number) else cast('outcomes.label must be 1/0 or true/false; got ' || cast(cast(kept as number) as varchar) as number) end as label
from (
    select shipment_item_id as prediction_id, checked_in_at, kept
    from oltp.shipment_items where status <> 'lost'
) as source
where checked_in_at <= '2026-11-21 00:00:00'::timestamp_ntz
    and checked_in_at >= '2026-10-30 00:00:00'::timestamp_ntz
    and kept is not null
    and prediction_id is not null

-- Outcome events of monitor favorite_category: the team's ground truth as it is, keyed like the
-- predictions, labels as 1/0, nothing after the run's as-of time.
select
    request_id,
    cast(convert_timezone('UTC', cast(checked_in_at as timestamp_tz)) as timestamp_ntz) as observed_at,
    cast(favorite_category as varchar) as label
from oltp.box_feedback
where checked_in_at <= '2026-11-21 00:00:00'::timestamp_ntz
    and favorite_category is not null
    and request_id is not null

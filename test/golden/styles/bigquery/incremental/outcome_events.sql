-- Outcome events of monitor favorite_category: the team's ground truth as it is, keyed like the
-- predictions, labels as 1/0, nothing after the run's as-of time.
select
    `request_id`,
    cast(`checked_in_at` as timestamp) as observed_at,
    cast(`favorite_category` as string) as label
from `oltp`.`box_feedback`
where `checked_in_at` < '2026-11-22' and cast(`checked_in_at` as timestamp) <= timestamp '2026-11-21 00:00:00'
    and `checked_in_at` >= '2026-10-26' and cast(`checked_in_at` as timestamp) >= timestamp '2026-10-26 00:00:00'
    and `favorite_category` is not null
    and `request_id` is not null

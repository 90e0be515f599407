-- Outcome events of monitor resale: the team's ground truth as it is, keyed like the
-- predictions, labels as 1/0, nothing after the run's as-of time.
select
    "item_id",
    cast("recorded_at" as timestamp) as observed_at,
    case when cast("sale_price" as double precision) between -1e308 and 1e308 or cast("sale_price" as double precision) is null then cast("sale_price" as double precision) else cast('outputs.price.label must be a finite number from -1e308 to 1e308; got ' || cast(cast("sale_price" as double precision) as text) as integer) end as "sale_price",
    case when cast("days_listed" as double precision) between -1e308 and 1e308 or cast("days_listed" as double precision) is null then cast("days_listed" as double precision) else cast('outputs.days_to_resale.label must be a finite number from -1e308 to 1e308; got ' || cast(cast("days_listed" as double precision) as text) as integer) end as "days_listed"
from (
    select item_id, recorded_at, sale_price, days_listed
    from oltp.resales where sale_price is not null
) as source
where "recorded_at" <= timestamp '2026-11-21 00:00:00'
    and ("sale_price" is not null or "days_listed" is not null)
    and "item_id" is not null

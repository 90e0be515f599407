-- Outcome events of monitor resale: the team's ground truth as it is, keyed like the
-- predictions, labels as 1/0, nothing after the run's as-of time.
select
    item_id,
    cast(convert_timezone('UTC', cast(recorded_at as timestamp_tz)) as timestamp_ntz) as observed_at,
    case when cast(sale_price as float) between -1e308 and 1e308 or cast(sale_price as float) is null then cast(sale_price as float) else cast('outputs.price.label must be a finite number from -1e308 to 1e308; got ' || cast(cast(sale_price as float) as varchar) as number) end as sale_price,
    case when cast(days_listed as float) between -1e308 and 1e308 or cast(days_listed as float) is null then cast(days_listed as float) else cast('outputs.days_to_resale.label must be a finite number from -1e308 to 1e308; got ' || cast(cast(days_listed as float) as varchar) as number) end as days_listed
from (
    select item_id, recorded_at, sale_price, days_listed
    from oltp.resales where sale_price is not null
) as source
where recorded_at <= '2026-11-21 00:00:00'::timestamp_ntz
    and recorded_at >= '2026-10-10 00:00:00'::timestamp_ntz
    and (sale_price is not null or days_listed is not null)
    and item_id is not null

-- One row per kept forecast of monitor weekly_demand with its actual and label status: the actual of
-- the same series whose time is the forecast's target_time, whenever it arrived. A forecast without
-- one is pending until 10 days after its target_time, then missing.
select
    forecasts."store_id",
    forecasts."category",
    forecasts.forecast_time,
    forecasts.target_time,
    forecasts.horizon,
    forecasts.model_version,
    forecasts.prediction,
    forecasts.interval_lower,
    forecasts.interval_upper,
    forecasts."p10",
    forecasts."p50",
    forecasts."p90",
    forecasts."region",
    actuals.actual,
    case
        when actuals.actual_time is not null then 'observed'
        when timestamp '2026-11-21 00:00:00' < forecasts.target_time + interval '864000 seconds' then 'pending'
        else 'missing'
    end as label_status,
    actuals.logged_at as observed_at,
    (epoch_us(actuals.logged_at) - epoch_us(forecasts.forecast_time)) / 3600000000.0 as label_delay_hours
from "hs_weekly_demand__prediction_events" as forecasts
left join "hs_weekly_demand__outcome_events" as actuals
    on actuals."store_id" = forecasts."store_id" and actuals."category" = forecasts."category"
    and actuals.actual_time = forecasts.target_time
    and actuals.actual_rank = 1
where forecasts.duplicate_rank = 1

-- Replace what this run recomputed, inside the run's transaction: a failed run leaves every row as
-- it was, and re-running the same windows replaces them instead of adding copies.
-- The evaluations step built the new table in the schema: it takes the stored table's place.
do $hindsight$
declare
    stored regclass := to_regclass('"hindsight"."also_kept__evaluations"');
    staged regclass := '"hindsight"."hs_also_kept__evaluations_00000000"'::regclass;
    kept text;
    stored_columns text;
    staged_columns text;
    grants text[];
begin
    select concat_ws('; ',
            'views ' || (select string_agg(distinct r.ev_class::regclass::text, ', ')
                from pg_depend d join pg_rewrite r on r.oid = d.objid
                where d.refobjid = stored and d.classid = 'pg_rewrite'::regclass and r.ev_class <> stored),
            case when c.relrowsecurity or exists (select 1 from pg_policy where polrelid = stored) then 'row-level security' end,
            case when exists (select 1 from pg_attribute where attrelid = stored and attacl is not null) then 'column privileges' end)
        into kept
    from pg_class c
    where c.oid = stored;
    if kept <> '' then
        select string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' order by attnum) filter (where attrelid = stored),
            string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' order by attnum) filter (where attrelid = staged)
        into stored_columns, staged_columns
        from pg_attribute
        where attrelid in (stored, staged) and attnum > 0 and not attisdropped;
        if stored_columns is distinct from staged_columns then
            raise exception 'cannot replace % with a table of other columns and keep its %', stored, kept
                using detail = format('stored: %s; this run writes: %s', stored_columns, staged_columns),
                      hint = 'drop the views, disable row-level security and revoke the column privileges it lists, run again, then restore them';
        end if;
        truncate "hindsight"."also_kept__evaluations";
        insert into "hindsight"."also_kept__evaluations" select * from "hindsight"."hs_also_kept__evaluations_00000000";
        drop table "hindsight"."hs_also_kept__evaluations_00000000";
        analyze "hindsight"."also_kept__evaluations";
    else
        select array_agg(format('grant %s on %s to %s%s', a.privilege_type, stored,
            case when a.grantee = 0 then 'public' else a.grantee::regrole::text end,
            case when a.is_grantable then ' with grant option' else '' end))
        into grants
        from pg_class c, aclexplode(c.relacl) a
        where c.oid = stored and a.grantee <> c.relowner;
        drop table if exists "hindsight"."also_kept__evaluations";
        alter table "hindsight"."hs_also_kept__evaluations_00000000" rename to "also_kept__evaluations";
        for i in 1 .. coalesce(array_length(grants, 1), 0) loop
            execute grants[i];
        end loop;
    end if;
end
$hindsight$;

delete from "hindsight"."hindsight_metrics"
where monitor = 'also_kept';

-- Incremental runs read and replace a range of the stored evaluations' times and, but for
-- forecasts, look them up by key: where the warehouse has indexes, those of the evaluations table
-- (a table written by an earlier version of hindsight gets them here)
do $hindsight$
begin
    if to_regclass('"hindsight"."also_kept__evaluations_by_key"') is null then
        create index if not exists "also_kept__evaluations_by_key" on "hindsight"."also_kept__evaluations" ("impression_id");
    end if;
end
$hindsight$;
do $hindsight$
begin
    if to_regclass('"hindsight"."also_kept__evaluations_by_time"') is null then
        create index if not exists "also_kept__evaluations_by_time" on "hindsight"."also_kept__evaluations" ("predicted_at");
    end if;
end
$hindsight$;

insert into "hindsight"."hindsight_metrics" (
    monitor, model_version, granularity, window_start, window_end, segment, segment_value,
    metric, qualifier, value, sample_size, run_id, computed_at
)
select
    'also_kept',
    metric_rows.model_version,
    metric_rows.granularity,
    metric_rows.window_start,
    case metric_rows.granularity
        when 'day' then metric_rows.window_start + interval '1 day'
        when 'week' then metric_rows.window_start + interval '7 days'
    end,
    metric_rows.segment,
    metric_rows.segment_value,
    metric_rows.metric,
    metric_rows.qualifier,
    metric_rows.value,
    metric_rows.sample_size,
    '00000000-0000-0000-0000-000000000000',
    timestamp '2026-11-21 00:00:00'
from (
    -- (columns named: a union matches them by position)
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from "hs_also_kept__data_quality"
    union all
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from "hs_also_kept__metrics"
) as metric_rows
;

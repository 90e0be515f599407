{% import "macros/incremental.sql" as incremental %}
-- Replace what this run recomputed, inside the run's transaction: a failed run leaves every row as
-- it was, and re-running the same windows replaces them instead of adding copies.
{% if run.incremental %}
-- Evaluations before {{ run.evaluate_from }} stay as stored: the run evaluated the predictions
-- from there on again (docs/semantics.md section 7).
{% for statement in d.replaceRange(tables.evaluations, rel('evaluations'), evaluations_time, run.evaluate_from, evaluation_key) %}
{{ statement }};

{% endfor %}
delete from {{ tables.metrics }}
where monitor = {{ d.string(m.name) }}
    and {{ incremental.recomputed(run, indent='    ') }};
{% if run.adds_late_outcomes %}

-- Earlier windows keep their rows: new data changed no score, label or label status there, only
-- their outcomes_late counts, by the late outcomes data_quality counted for them (docs/semantics.md §7)
update {{ tables.metrics }} as stored
set value = stored.value + added.value,
    sample_size = stored.sample_size + added.sample_size,
    run_id = {{ d.string(run.run_id) }},
    computed_at = {{ run.computed_at }}
from {{ rel('data_quality') }} as added
where stored.monitor = {{ d.string(m.name) }}
    and stored.metric = 'outcomes_late'
    and added.metric = 'outcomes_late'
    and not {{ incremental.recomputed(run, 'added.', '    ') }}
    and stored.granularity = added.granularity
    and stored.window_start = added.window_start
    and stored.model_version is not distinct from added.model_version
    and stored.segment is null;
{% endif %}
{% elif d.capabilities.transactionalDdl %}
-- The evaluations step built the new table in the schema: it takes the stored table's place.
{% for statement in d.replaceTable(tables.evaluations, rel('evaluations'), evaluations_name) %}
{{ statement }};

{% endfor %}
delete from {{ tables.metrics }}
where monitor = {{ d.string(m.name) }};
{% else %}
-- {{ d.name }} cannot drop or create a permanent table inside a transaction: the runner creates the
-- evaluations table before the transaction begins, and a full refresh replaces all of its rows.
delete from {{ tables.evaluations }}
where true;

insert into {{ tables.evaluations }}
select * from {{ rel('evaluations') }};

delete from {{ tables.metrics }}
where monitor = {{ d.string(m.name) }};
{% endif %}
{% if evaluation_indexes.length %}

-- Incremental runs read and replace a range of the stored evaluations' times and, but for
-- forecasts, look them up by key: where the warehouse has indexes, those of the evaluations table
-- (a table written by an earlier version of hindsight gets them here)
{% for statement in evaluation_indexes %}
{{ statement }};
{% endfor %}
{% endif %}
{% if m.forecast %}

-- MASE's history up to this run's checkpoint (models/forecast/mase_scales.sql), which the next
-- incremental run starts from instead of reading every actual again
{% if not run.incremental and d.capabilities.transactionalDdl %}
-- (staged and put in the stored table's place as the evaluations are: on Postgres it keeps the views
-- on it, its grants and its row-level security)
{% for statement in d.createTable(mase_history_staged, mase_history_rows) %}
{{ statement }};

{% endfor %}
{% for statement in d.replaceTable(tables.mase_history, mase_history_staged, mase_history_name) %}
{{ statement }};
{% endfor %}
{% else %}
delete from {{ tables.mase_history }}
where true;

insert into {{ tables.mase_history }}
{{ mase_history_rows }};
{% endif %}
{% endif %}

insert into {{ tables.metrics }} (
    monitor, model_version, granularity, window_start, window_end, segment, segment_value,
    metric, qualifier, value, sample_size, run_id, computed_at
)
select
    {{ d.string(m.name) }},
    metric_rows.model_version,
    metric_rows.granularity,
    metric_rows.window_start,
    case metric_rows.granularity
{% for g in m.granularities %}
        when '{{ g }}' then {{ d.windowEnd(g, 'metric_rows.window_start') }}
{% endfor %}
    end,
    metric_rows.segment,
    metric_rows.segment_value,
    metric_rows.metric,
    metric_rows.qualifier,
    metric_rows.value,
    metric_rows.sample_size,
    {{ d.string(run.run_id) }},
    {{ run.computed_at }}
from (
{% set metric_columns = 'model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size' %}
    -- (columns named: a union matches them by position)
    select {{ metric_columns }} from {{ rel('data_quality') }}
    union all
    select {{ metric_columns }} from {{ rel('metrics') }}
) as metric_rows
{% if run.incremental %}
{% if run.adds_late_outcomes %}
-- data_quality's rows of earlier windows are the late-outcome counts the update above added
{% else %}
-- data_quality's rows of earlier windows are partial: those windows keep their stored rows
{% endif %}
where {{ incremental.recomputed(run, 'metric_rows.') }}
{% endif %}
;

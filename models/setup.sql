-- hindsight's own tables, created once per schema. The metric table is tidy (one row per metric)
-- so that BI tools can filter and pivot it; see README "Output tables".
-- (each created only when missing: the right to create is needed only then, d.unlessExists)
{{ d.unlessExists('schema', d.quote(project.schema), 'create schema if not exists ' + d.quote(project.schema)) }};

{% set create_metrics -%}
create table if not exists {{ tables.metrics }} (
    monitor {{ d.types.text }} not null,
    model_version {{ d.types.text }},
    granularity {{ d.types.text }} not null,
    window_start {{ d.types.timestamp }} not null,
    window_end {{ d.types.timestamp }} not null,
    segment {{ d.types.text }},
    segment_value {{ d.types.text }},
    metric {{ d.types.text }} not null,
    qualifier {{ d.types.text }},
    value {{ d.types.double }},
    sample_size {{ d.types.bigint }},
    run_id {{ d.types.text }} not null,
    computed_at {{ d.types.timestamp }} not null
){% set layout = d.tableLayout('window_start', ['monitor', 'metric']) %}{% if layout %}

{{ layout }}{% endif %}
{%- endset %}
{{ d.unlessExists('relation', tables.metrics, create_metrics) }};
{% for statement in d.createIndex(project.schema, 'hindsight_metrics', 'hindsight_metrics_by_window', ['monitor', 'granularity', 'window_start']) %}

-- one monitor's windows of one granularity, read and replaced by its runs and queried by BI tools
{{ statement }};
{% endfor %}

{% set create_runs -%}
create table if not exists {{ tables.runs }} (
    run_id {{ d.types.text }} not null,
    monitor {{ d.types.text }} not null,
    target {{ d.types.text }} not null,
    started_at {{ d.types.timestamp }} not null,
    finished_at {{ d.types.timestamp }} not null,
    status {{ d.types.text }} not null,
    error {{ d.types.text }},
    rows_written {{ d.types.bigint }},
    hindsight_version {{ d.types.text }} not null,
    sql_sha256 {{ d.types.text }} not null,
    as_of {{ d.types.timestamp }} not null,
    mode {{ d.types.text }} not null,
    recompute_from {{ d.types.timestamp }},
    config_hash {{ d.types.text }} not null,
    -- every window of the monitor that ends at or before this is final (README, Output tables)
    final_before {{ d.types.timestamp }},
    -- the monitor's configuration as the run read it (JSON), which the next run compares with its own
    config {{ d.types.text }}
)
{%- endset %}
{{ d.unlessExists('relation', tables.runs, create_runs) }};

{#- Engine differences that are not plain expressions: how the sources are made
    visible, money types, and date truncation / arithmetic. Every macro
    dispatches (default__, duckdb__, spark__) so that no model holds
    engine-specific SQL. See docs/spark.md. -#}


{#- on-run-start: make the validated Parquet files readable as the
    `validated` sources. On DuckDB the staging models read them in place
    (validated_source below), so there is nothing to do. dbt-spark renders
    source() as <schema>.<identifier> (schema <target schema>_validated on
    Spark, models/staging/_sources.yml), so each file is registered as an
    external Parquet table over the validated folder, restricted to its file
    with `pathGlobFilter` (a table location must be a folder). Dropping an
    external table never deletes its files; re-creating it on every run makes
    the tables point at this run's folder. -#}
{% macro register_sources() -%}
    {{ return(adapter.dispatch('register_sources', 'influencer_roas')()) }}
{%- endmacro %}

{% macro default__register_sources() -%}
{%- endmacro %}

{% macro spark__register_sources() -%}
    {%- if execute -%}
        {%- set folder = dbt.escape_single_quotes(env_var('ROAS_VALIDATED_DIR', 'build/validated')) -%}
        {%- set schemas = [] -%}
        {%- for node in graph.sources.values() if node.package_name == project_name -%}
            {%- if node.schema not in schemas -%}
                {%- do run_query('create schema if not exists ' ~ node.schema) -%}
                {%- do schemas.append(node.schema) -%}
            {%- endif -%}
            {%- set relation = node.schema ~ '.' ~ node.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query(
                'create table ' ~ relation ~ ' using parquet'
                ~ " options (pathGlobFilter '" ~ node.name ~ ".parquet')"
                ~ " location '" ~ folder ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- A validated file as the staging models read it. On DuckDB, the file itself:
    read_parquet over the run's validated folder, which every run names anew
    (ROAS_VALIDATED_DIR). The folder is read only when the model runs (`execute`),
    never while dbt parses: an environment variable read at parse time is recorded,
    and a new value makes dbt parse the files that read it again, seconds on every
    run. Elsewhere, and while parsing, source(), so lineage and the docs are the same. -#}
{% macro validated_source(table_name) -%}
    {{ return(adapter.dispatch('validated_source', 'influencer_roas')(table_name)) }}
{%- endmacro %}

{% macro default__validated_source(table_name) -%}
    {{ source('validated', table_name) }}
{%- endmacro %}

{% macro duckdb__validated_source(table_name) -%}
    {%- if execute -%}
        {%- set folder = env_var('ROAS_VALIDATED_DIR', 'build/validated') -%}
        read_parquet('{{ dbt.escape_single_quotes(folder ~ "/" ~ table_name ~ ".parquet") }}')
    {%- else -%}
        {{ source('validated', table_name) }}
    {%- endif -%}
{%- endmacro %}


{#- money amounts (revenue, payouts, rates) in the public marts: an 8-byte double
    everywhere, as the data contract fixes; one place to change for an engine with
    a better exact type -#}
{% macro type_money() -%}
    {{ return(adapter.dispatch('type_money', 'influencer_roas')()) }}
{%- endmacro %}

{% macro default__type_money() -%}
    {{ type_double() }}
{%- endmacro %}


{#- exact money for sums over large inputs (the order lines): a decimal with 6
    places (micro-units). Integer arithmetic, so a parallel sum gives the same
    result whatever order the threads add in (floats differ in the 16th digit),
    and a sum maintained incrementally equals the full rebuild's. Values are
    rounded to 6 places once, in staging; a double made from such a decimal casts
    back to the same decimal. Floats only after aggregation. -#}
{% macro type_money_exact() -%}
    {{ return(adapter.dispatch('type_money_exact', 'influencer_roas')()) }}
{%- endmacro %}

{% macro default__type_money_exact() -%}
    decimal(38, 6)
{%- endmacro %}


{#- exact sum of a money expression (see type_money_exact) -#}
{% macro sum_money(expression) -%}
    sum(cast({{ expression }} as {{ type_money_exact() }}))
{%- endmacro %}


{#- the number of rows where `condition` holds, as the contract's bigint -#}
{% macro count_where(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}


{#- exact sum of the squares of a money expression: the product of two 6-place
    decimals has 12 places (decimal(38, 12): squares up to 1e26) -#}
{% macro sum_money_squared(expression) -%}
    sum(cast({{ expression }} as {{ type_money_exact() }}) * cast({{ expression }} as {{ type_money_exact() }}))
{%- endmacro %}


{#- the DATE at the start of the `datepart` (day, week = ISO Monday, month,
    quarter, year) holding `expression`; always a DATE, never a timestamp -#}
{% macro truncate_date(datepart, expression) -%}
    {{ return(adapter.dispatch('truncate_date', 'influencer_roas')(datepart, expression)) }}
{%- endmacro %}

{% macro default__truncate_date(datepart, expression) -%}
    cast({{ dbt.date_trunc(datepart, expression) }} as date)
{%- endmacro %}

{% macro duckdb__truncate_date(datepart, expression) -%}
    cast(date_trunc('{{ datepart }}', cast({{ expression }} as date)) as date)
{%- endmacro %}

{% macro spark__truncate_date(datepart, expression) -%}
    {%- if datepart == 'day' -%}
        cast({{ expression }} as date)
    {%- else -%}
        trunc(cast({{ expression }} as date), '{{ datepart }}')
    {%- endif -%}
{%- endmacro %}


{#- the DATE `days` days after `expression` (days may be an expression) -#}
{% macro add_days(expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'influencer_roas')(expression, days)) }}
{%- endmacro %}

{% macro default__add_days(expression, days) -%}
    cast({{ dbt.dateadd('day', days, expression) }} as date)
{%- endmacro %}

{% macro duckdb__add_days(expression, days) -%}
    (cast({{ expression }} as date) + cast({{ days }} as integer))
{%- endmacro %}

{% macro spark__add_days(expression, days) -%}
    date_add(cast({{ expression }} as date), cast({{ days }} as int))
{%- endmacro %}


{#- whole days from `start_date` to `end_date` (negative when end is earlier) -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'influencer_roas')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}

{% macro duckdb__days_between(start_date, end_date) -%}
    cast(date_diff('day', cast({{ start_date }} as date), cast({{ end_date }} as date)) as bigint)
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    cast(datediff(cast({{ end_date }} as date), cast({{ start_date }} as date)) as bigint)
{%- endmacro %}


{#- a 64-bit digest of a row's values (the incremental build compares sums of
    them per day, old rows against new; both sides are computed in the same run,
    so the digest need not be stable across engine versions) -#}
{% macro row_digest(expressions) -%}
    {{ return(adapter.dispatch('row_digest', 'influencer_roas')(expressions)) }}
{%- endmacro %}

{% macro default__row_digest(expressions) -%}
    {{ exceptions.raise_compiler_error("row_digest: no 64-bit row hash for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__row_digest(expressions) -%}
    cast(hash({{ expressions | join(', ') }}) as decimal(20, 0))
{%- endmacro %}

{% macro spark__row_digest(expressions) -%}
    cast(xxhash64({{ expressions | join(', ') }}) as decimal(20, 0))
{%- endmacro %}


{#- incremental builds of the order facts (docs/incremental.md): DuckDB only.
    Other engines (Spark, parquet tables without row deletes) rebuild in full. -#}
{% macro incremental_orders_enabled() -%}
    {{ return(target.type == 'duckdb') }}
{%- endmacro %}

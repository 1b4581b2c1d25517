{#- What every column of every public model means, read from the project's YAML
    (macros/meanings.sql): one row per public model and column. -#}
{%- set rows = column_meaning_rows() %}

with

declared as (

    {% for row in rows -%}
    {%- set position = 'null' if row.column_position is none
        else row.column_position -%}
    select
        {{ text_literal(row.model_name) }} as model_name,
        {{ text_literal(row.model_meta) }} as model_meta,
        {{ text_literal(row.model_description) }} as model_description,
        {{ text_literal(row.column_name) }} as column_name,
        cast({{ position }} as {{ dbt.type_bigint() }}) as column_position,
        {{ text_literal(row.data_type) }} as data_type,
        {{ text_literal(row.column_description) }} as column_description,
        {{ text_literal(row.meaning) }} as meaning
    {% if not loop.last %}union all
    {% endif -%}
    {%- else -%}
    {#- at parse time the graph is not there yet: the same columns, no row -#}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as model_meta,
        cast(null as {{ dbt.type_string() }}) as model_description,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_bigint() }}) as column_position,
        cast(null as {{ dbt.type_string() }}) as data_type,
        cast(null as {{ dbt.type_string() }}) as column_description,
        cast(null as {{ dbt.type_string() }}) as meaning
    where 1 = 0
    {%- endfor %}

),

final as (

    select * from declared

)

select * from final
order by model_name, column_position nulls last, column_name

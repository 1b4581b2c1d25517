with

source as (

    select * from {{ validated_source('validation_results') }}

),

renamed as (

    select
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(expectation as {{ dbt.type_string() }}) as expectation,
        cast(column_name as {{ dbt.type_string() }}) as column_name,
        cast(rule as {{ dbt.type_string() }}) as rule,
        cast(success as {{ dbt.type_boolean() }}) as success,
        cast(element_count as {{ dbt.type_bigint() }}) as element_count,
        cast(unexpected_count as {{ dbt.type_bigint() }}) as unexpected_count

    from source

),

final as (

    select * from renamed

)

select * from final

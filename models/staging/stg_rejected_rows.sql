with

source as (

    select * from {{ validated_source('rejected_rows') }}

),

renamed as (

    select
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(column_name as {{ dbt.type_string() }}) as column_name,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(original_values as {{ dbt.type_string() }}) as original_values

    from source

),

final as (

    select * from renamed

)

select * from final

with

source as (

    select * from {{ validated_source('load_audit') }}

),

renamed as (

    select
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(file_present as {{ dbt.type_boolean() }}) as file_present,
        cast(rows_read as {{ dbt.type_bigint() }}) as rows_read,
        cast(rows_loaded as {{ dbt.type_bigint() }}) as rows_loaded,
        cast(rows_rejected as {{ dbt.type_bigint() }}) as rows_rejected,
        cast(rows_flagged as {{ dbt.type_bigint() }}) as rows_flagged,
        cast(columns_present as {{ dbt.type_string() }}) as columns_present,
        cast(validated_at as {{ dbt.type_string() }}) as validated_at

    from source

),

final as (

    select * from renamed

)

select * from final

with

source as (

    select * from {{ validated_source('audiences') }}

),

renamed as (

    select
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(campaign as {{ dbt.type_string() }}) as campaign,
        cast(influencer_id as {{ dbt.type_bigint() }}) as influencer_id,
        cast({{ quoted_group() }} as {{ dbt.type_bigint() }}) as exposure_group,
        cast(users as {{ dbt.type_bigint() }}) as users,
        cast(extra_json as {{ dbt.type_string() }}) as extra_json

    from source

),

final as (

    select * from renamed

)

select * from final

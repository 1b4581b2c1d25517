with

source as (

    select * from {{ validated_source('influencers') }}

),

renamed as (

    select
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(id as {{ dbt.type_bigint() }}) as influencer_id,
        cast(name as {{ dbt.type_string() }}) as name,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(gender as {{ dbt.type_string() }}) as gender,
        cast(follower_count as {{ dbt.type_bigint() }}) as follower_count,
        -- given tier, lower-cased; NULL when absent or empty (derived later in
        -- dim_influencers)
        nullif(
            lower(trim(cast(influencer_type as {{ dbt.type_string() }}))), ''
        ) as influencer_type,
        cast(extra_json as {{ dbt.type_string() }}) as extra_json

    from source

),

final as (

    select * from renamed

)

select * from final

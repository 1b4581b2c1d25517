with

source as (

    select * from {{ validated_source('posts') }}

),

renamed as (

    select
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        -- stable id when the file has none: hash of (influencer_id, url, date)
        coalesce(
            nullif(trim(cast(post_id as {{ dbt.type_string() }})), ''),
            {{ stable_key(['influencer_id', 'url', 'date']) }}
        ) as post_id,
        case
            when
                nullif(
                    trim(cast(post_id as {{ dbt.type_string() }})), ''
                ) is null
                then true
            else false
        end as is_post_id_derived,
        cast(influencer_id as {{ dbt.type_bigint() }}) as influencer_id,
        cast(platform as {{ dbt.type_string() }}) as platform,
        {{ try_cast('date', 'date') }} as post_date,
        cast(url as {{ dbt.type_string() }}) as url,
        cast(caption as {{ dbt.type_string() }}) as caption,
        cast(reach as {{ dbt.type_bigint() }}) as reach,
        cast(likes as {{ dbt.type_bigint() }}) as likes,
        cast(comments as {{ dbt.type_bigint() }}) as comments,
        cast(campaign as {{ dbt.type_string() }}) as campaign,
        cast(extra_json as {{ dbt.type_string() }}) as extra_json

    from source

),

final as (

    select * from renamed

)

select * from final

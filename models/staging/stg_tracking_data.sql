with

source as (

    select * from {{ validated_source('tracking_data') }}

),

renamed as (

    select
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        -- stable id when the file has none: hash of the row's content and its
        -- line number
        coalesce(
            nullif(trim(cast(order_id as {{ dbt.type_string() }})), ''),
            {{ stable_key([
                'line_number', 'source', 'campaign', 'influencer_id', 'user_id',
                'product', 'brand', 'date', 'orders', 'revenue', quoted_group()
            ]) }}
        ) as order_id,
        case
            when
                nullif(
                    trim(cast(order_id as {{ dbt.type_string() }})), ''
                ) is null
                then true
            else false
        end as is_order_id_derived,
        cast(source as {{ dbt.type_string() }}) as traffic_source,
        cast(campaign as {{ dbt.type_string() }}) as campaign,
        cast(influencer_id as {{ dbt.type_bigint() }}) as influencer_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(product as {{ dbt.type_string() }}) as product,
        cast(brand as {{ dbt.type_string() }}) as brand,
        {{ try_cast('date', 'date') }} as order_date,
        cast(orders as {{ dbt.type_bigint() }}) as orders,
        -- exact micro-units: the order lines are summed in parallel and
        -- incrementally
        cast(revenue as {{ type_money_exact() }}) as revenue,
        -- 1 = exposed, 0 = held-out control; every row is exposed when the file
        -- has no group column
        coalesce(cast({{ quoted_group() }} as {{ dbt.type_bigint() }}), 1)
            as exposure_group,
        cast(extra_json as {{ dbt.type_string() }}) as extra_json

    from source

),

final as (

    select * from renamed

)

select * from final

with

source as (

    select * from {{ validated_source('payouts') }}

),

renamed as (

    select
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(influencer_id as {{ dbt.type_bigint() }}) as influencer_id,
        lower(trim(cast(basis as {{ dbt.type_string() }}))) as basis,
        cast(rate as {{ type_money() }}) as rate,
        -- orders the payout was computed on; only meaningful for basis = order
        cast(orders as {{ dbt.type_bigint() }}) as recorded_orders,
        cast(total_payout as {{ type_money() }}) as total_payout,
        cast(campaign as {{ dbt.type_string() }}) as campaign,
        nullif(lower(trim(cast(status as {{ dbt.type_string() }}))), '')
            as status,
        cast(extra_json as {{ dbt.type_string() }}) as extra_json

    from source

),

final as (

    select * from renamed

)

select * from final

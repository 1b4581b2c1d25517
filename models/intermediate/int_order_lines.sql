{#- The order lines as fct_orders publishes them: the tracking rows with the
    brand completed from the product catalogue and the arms split out. A view:
    fct_orders stores it, and an incremental build of fct_orders compares it
    with what it holds to find the orders to replace
    (macros/incremental_orders.sql). -#}
{{ config(materialized='view') }}

with

tracking as (

    select * from {{ ref('stg_tracking_data') }}

),

products as (

    select * from {{ ref('products') }}

),

final as (

    select
        tracking.line_number,
        tracking.order_id,
        tracking.is_order_id_derived,
        tracking.order_date,
        tracking.campaign,
        tracking.influencer_id,
        tracking.user_id,
        tracking.product,
        coalesce(tracking.brand, products.brand) as brand,
        products.product_category,
        tracking.traffic_source,
        tracking.exposure_group,
        coalesce(tracking.exposure_group = 1, false) as is_exposed,
        tracking.orders,
        -- the contract's money type; the decimal of staging casts back exactly
        -- when summed
        cast(tracking.revenue as {{ type_money() }}) as revenue,
        case when tracking.exposure_group = 1 then tracking.orders else 0 end
            as attributed_orders,
        case
            when tracking.exposure_group = 1
                then cast(tracking.revenue as {{ type_money() }})
            else 0
        end as attributed_revenue,
        case when tracking.exposure_group = 0 then tracking.orders else 0 end
            as control_orders,
        case
            when tracking.exposure_group = 0
                then cast(tracking.revenue as {{ type_money() }})
            else 0
        end as control_revenue

    from tracking
    left join products
        on tracking.product = products.product

)

select * from final

with

orders as (

    select * from {{ ref('fct_orders') }}

),

influencers as (

    select * from {{ ref('dim_influencers') }}

),

daily as (

    select
        order_date,
        campaign,
        influencer_id,
        product,
        max(brand) as brand,
        sum(attributed_revenue) as attributed_revenue,
        cast(sum(attributed_orders) as {{ dbt.type_bigint() }}) as attributed_orders,
        sum(control_revenue) as control_revenue,
        cast(sum(control_orders) as {{ dbt.type_bigint() }}) as control_orders

    from orders
    group by order_date, campaign, influencer_id, product

),

final as (

    select
        daily.order_date as date,
        daily.campaign,
        daily.influencer_id,
        daily.product,
        daily.attributed_revenue,
        daily.attributed_orders,
        daily.control_revenue,
        daily.brand,
        influencers.platform,
        influencers.influencer_type,
        influencers.category,
        influencers.gender,
        daily.control_orders

    from daily
    left join influencers
        on daily.influencer_id = influencers.influencer_id

)

select * from final

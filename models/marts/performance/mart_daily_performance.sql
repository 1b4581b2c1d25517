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
        {{ sum_money('attributed_revenue') }} as attributed_revenue,
        cast(sum(attributed_orders) as {{ dbt.type_bigint() }})
            as attributed_orders,
        {{ sum_money('control_revenue') }} as control_revenue,
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
        cast(daily.attributed_revenue as {{ type_money() }})
            as attributed_revenue,
        daily.attributed_orders,
        cast(daily.control_revenue as {{ type_money() }}) as control_revenue,
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
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by date, campaign, influencer_id, product

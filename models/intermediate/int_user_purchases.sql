{#- Per-user purchases per cell (campaign, influencer_id) and arm: x = revenue
    summed per user within the cell and arm, the unit of the variance estimate. -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

final as (

    select
        campaign,
        influencer_id,
        exposure_group,
        user_id,
        sum(revenue) as revenue,
        cast(sum(orders) as {{ dbt.type_bigint() }}) as orders,
        count(*) as order_lines

    from orders
    group by campaign, influencer_id, exposure_group, user_id

)

select * from final

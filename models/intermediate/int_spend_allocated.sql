{#- Spend per (influencer, campaign). A payout row with a campaign goes to that
    campaign; one without is spread over the influencer's campaigns in
    proportion to its attributed orders (exposed `orders` units) in each; an
    influencer without attributed orders keeps it under '(unallocated)'. Total
    spend therefore always equals the payouts file total. -#}
with

payouts as (

    select * from {{ ref('stg_payouts') }}

),

orders as (

    select * from {{ ref('int_order_lines') }}

),

campaign_orders as (

    select
        influencer_id,
        campaign,
        cast(sum(attributed_orders) as {{ dbt.type_bigint() }})
            as attributed_orders

    from orders
    where exposure_group = 1
    group by influencer_id, campaign

),

influencer_orders as (

    select
        influencer_id,
        cast(sum(attributed_orders) as {{ dbt.type_bigint() }})
            as attributed_orders

    from campaign_orders
    group by influencer_id

),

direct_allocations as (

    select
        influencer_id,
        campaign,
        total_payout as spend,
        'campaign' as allocation_method

    from payouts
    where campaign is not null

),

pro_rata_allocations as (

    select
        payouts.influencer_id,
        campaign_orders.campaign,
        payouts.total_payout
        * {{ safe_divide(
            'campaign_orders.attributed_orders',
            'influencer_orders.attributed_orders'
        ) }} as spend,
        'pro_rata' as allocation_method

    from payouts
    inner join influencer_orders
        on payouts.influencer_id = influencer_orders.influencer_id
    inner join campaign_orders
        on payouts.influencer_id = campaign_orders.influencer_id
    where
        payouts.campaign is null
        and influencer_orders.attributed_orders > 0

),

unallocated as (

    select
        payouts.influencer_id,
        '(unallocated)' as campaign,
        payouts.total_payout as spend,
        'unallocated' as allocation_method

    from payouts
    left join influencer_orders
        on payouts.influencer_id = influencer_orders.influencer_id
    where
        payouts.campaign is null
        and coalesce(influencer_orders.attributed_orders, 0) = 0

),

allocations as (

    select * from direct_allocations
    union all
    select * from pro_rata_allocations
    union all
    select * from unallocated

),

final as (

    select
        influencer_id,
        campaign,
        sum(spend) as spend,
        sum(case when allocation_method = 'campaign' then spend else 0 end)
            as campaign_spend,
        sum(case when allocation_method = 'pro_rata' then spend else 0 end)
            as pro_rata_spend,
        sum(case when allocation_method = 'unallocated' then spend else 0 end)
            as unallocated_spend

    from allocations
    group by influencer_id, campaign

)

-- stored in key order: the marts add floats over these rows, and a sum of
-- floats depends on the order it adds in; the sums above run in parallel and
-- emit rows in any order, so without this two builds of the same input could
-- differ in the last bit
select * from final
order by influencer_id, campaign

{#- One row per payout row, with the payout it should have been:
    post basis: rate x posts (posts of the payout's campaign when it has one),
    order basis: rate x attributed orders (of the payout's campaign when it has
    one). -#}
with

payouts as (

    select * from {{ ref('stg_payouts') }}

),

posts as (

    select * from {{ ref('fct_posts') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

influencer_posts as (

    select
        influencer_id,
        count(*) as posts
    from posts
    group by influencer_id

),

campaign_posts as (

    select
        influencer_id,
        campaign,
        count(*) as posts
    from posts
    where campaign is not null
    group by influencer_id, campaign

),

influencer_orders as (

    select
        influencer_id,
        cast(sum(attributed_orders) as {{ dbt.type_bigint() }})
            as attributed_orders
    from orders
    group by influencer_id

),

campaign_orders as (

    select
        influencer_id,
        campaign,
        cast(sum(attributed_orders) as {{ dbt.type_bigint() }})
            as attributed_orders
    from orders
    group by influencer_id, campaign

),

counted as (

    select
        payouts.line_number,
        payouts.influencer_id,
        payouts.campaign,
        payouts.basis,
        payouts.rate,
        payouts.recorded_orders,
        payouts.total_payout,
        payouts.status,
        case
            when payouts.campaign is null
                then coalesce(influencer_posts.posts, 0)
            else coalesce(campaign_posts.posts, 0)
        end as posts,
        case
            when payouts.campaign is null
                then coalesce(influencer_orders.attributed_orders, 0)
            else coalesce(campaign_orders.attributed_orders, 0)
        end as attributed_orders,
        case
            when payouts.campaign is not null then 'campaign'
            when coalesce(influencer_orders.attributed_orders, 0) > 0
                then 'pro_rata'
            else 'unallocated'
        end as allocation_method

    from payouts
    left join influencer_posts
        on payouts.influencer_id = influencer_posts.influencer_id
    left join campaign_posts
        on payouts.influencer_id = campaign_posts.influencer_id
        and payouts.campaign = campaign_posts.campaign
    left join influencer_orders
        on payouts.influencer_id = influencer_orders.influencer_id
    left join campaign_orders
        on payouts.influencer_id = campaign_orders.influencer_id
        and payouts.campaign = campaign_orders.campaign

),

final as (

    select
        line_number,
        influencer_id,
        campaign,
        basis,
        rate,
        recorded_orders,
        total_payout,
        status,
        posts,
        attributed_orders,
        case basis
            when 'post' then rate * posts
            when 'order' then rate * attributed_orders
        end as expected_payout,
        total_payout - case basis
            when 'post' then rate * posts
            when 'order' then rate * attributed_orders
        end as payout_gap,
        allocation_method

    from counted

)

select * from final
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by line_number

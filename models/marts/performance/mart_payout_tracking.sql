with

influencers as (

    select * from {{ ref('dim_influencers') }}

),

payouts as (

    select * from {{ ref('fct_payouts') }}

),

posts as (

    select * from {{ ref('fct_posts') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

payout_totals as (

    select
        influencer_id,
        count(*) as payout_rows,
        count(distinct basis) as distinct_bases,
        max(basis) as any_basis,
        count(distinct rate) as distinct_rates,
        max(rate) as any_rate,
        count(distinct status) as distinct_statuses,
        max(status) as any_status,
        cast(
            sum(
                case
                    when basis = 'order'
                        then coalesce(recorded_orders, 0)
                    else 0
                end
            ) as {{ dbt.type_bigint() }}
        ) as recorded_orders,
        sum(expected_payout) as expected_payout,
        sum(total_payout) as total_payout

    from payouts
    group by influencer_id

),

post_totals as (

    select
        influencer_id,
        count(*) as posts
    from posts
    group by influencer_id

),

order_totals as (

    select
        influencer_id,
        cast(sum(attributed_orders) as {{ dbt.type_bigint() }})
            as attributed_orders
    from orders
    group by influencer_id

),

joined as (

    select
        influencers.influencer_id,
        influencers.name,
        influencers.influencer_type,
        case
            when payout_totals.distinct_bases = 1 then payout_totals.any_basis
            when payout_totals.distinct_bases > 1 then 'mixed'
        end as basis,
        case
            when payout_totals.distinct_rates = 1 then payout_totals.any_rate
        end as rate,
        case
            when payout_totals.distinct_statuses = 1
                then payout_totals.any_status
            when payout_totals.distinct_statuses > 1 then 'mixed'
        end as status,
        coalesce(payout_totals.payout_rows, 0) as payout_rows,
        coalesce(payout_totals.recorded_orders, 0) as recorded_orders,
        coalesce(order_totals.attributed_orders, 0) as attributed_orders,
        coalesce(post_totals.posts, 0) as posts,
        coalesce(payout_totals.expected_payout, 0) as expected_payout,
        coalesce(payout_totals.total_payout, 0) as total_payout

    from influencers
    left join payout_totals
        on influencers.influencer_id = payout_totals.influencer_id
    left join post_totals
        on influencers.influencer_id = post_totals.influencer_id
    left join order_totals
        on influencers.influencer_id = order_totals.influencer_id

),

final as (

    select
        influencer_id,
        basis,
        rate,
        recorded_orders,
        attributed_orders,
        expected_payout,
        total_payout,
        total_payout - expected_payout as payout_gap,
        name,
        influencer_type,
        posts,
        coalesce(abs(total_payout - expected_payout) >= 0.005, false)
            as has_payout_gap,
        status,
        payout_rows

    from joined

)

select * from final
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by influencer_id

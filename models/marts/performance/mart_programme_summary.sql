with

influencers as (

    select * from {{ ref('dim_influencers') }}

),

cells as (

    select * from {{ ref('int_incrementality_cells') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

posts as (

    select * from {{ ref('fct_posts') }}

),

cell_totals as (

    select
        count(
            distinct case when campaign <> '(unallocated)' then campaign end
        ) as campaigns,
        {{ sum_cell_inputs() }}

    from cells

),

influencer_totals as (

    select count(*) as influencers from influencers

),

post_totals as (

    select
        count(*) as posts,
        min(post_date) as first_post_date,
        max(post_date) as last_post_date

    from posts

),

order_totals as (

    select
        min(order_date) as first_order_date,
        max(order_date) as last_order_date

    from orders

),

joined as (

    select
        coalesce(cell_totals.campaigns, 0) as campaigns,
        influencer_totals.influencers,
        post_totals.posts,
        case
            when order_totals.first_order_date is null
                then post_totals.first_post_date
            when post_totals.first_post_date is null
                then order_totals.first_order_date
            else
                least(
                    order_totals.first_order_date, post_totals.first_post_date
                )
        end as first_date,
        case
            when order_totals.last_order_date is null
                then post_totals.last_post_date
            when post_totals.last_post_date is null
                then order_totals.last_order_date
            else
                greatest(
                    order_totals.last_order_date, post_totals.last_post_date
                )
        end as last_date,
        {{ coalesce_cell_inputs('cell_totals') }}

    from cell_totals
    cross join influencer_totals
    cross join post_totals
    cross join order_totals

),

metrics as (

    select
        joined.*,
        {{ performance_metrics('joined') }}

    from joined

),

final as (

    select
        attributed_revenue,
        attributed_orders,
        control_revenue,
        spend,
        roas,
        roi,
        cpa,
        aov,
        incremental_revenue,
        incremental_revenue_se,
        iroas,
        iroas_ci_low,
        iroas_ci_high,
        iroas_method,
        iroas_verdict,
        influencers,
        campaigns,
        posts,
        first_date,
        last_date,
        is_poor_roi,
        control_orders,
        measured_cells,
        modelled_cells,
        incremental_revenue_ci_low,
        incremental_revenue_ci_high,
        incremental_orders,
        incremental_orders_se,
        p_value,
        power_status,
        mde_iroas,
        assumed_iroas_low,
        assumed_iroas_high,
        {{ num_var('breakeven') }} as breakeven,
        {{ num_var('poor_roi_below') }} as poor_roi_below,
        {{ num_var('assumed_lift') }} as assumed_lift,
        {{ num_var('lift_range_low') }} as lift_range_low,
        {{ num_var('lift_range_high') }} as lift_range_high,
        {{ num_var('holdout_share') }} as holdout_share

    from metrics

)

select * from final

with

cells as (

    select * from {{ ref('int_incrementality_cells') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

cell_totals as (

    select
        campaign,
        count(distinct influencer_id) as influencers,
        {{ sum_cell_inputs() }}

    from cells
    group by campaign

),

order_dates as (

    select
        campaign,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date

    from orders
    group by campaign

),

metrics as (

    select
        cell_totals.*,
        order_dates.first_order_date,
        order_dates.last_order_date,
        {{ performance_metrics('cell_totals') }}

    from cell_totals
    left join order_dates
        on cell_totals.campaign = order_dates.campaign

),

final as (

    select
        campaign,
        attributed_revenue,
        attributed_orders,
        spend,
        roas,
        incremental_revenue,
        iroas,
        iroas_ci_low,
        iroas_ci_high,
        iroas_method,
        iroas_verdict,
        influencers,
        control_revenue,
        roi,
        cpa,
        aov,
        incremental_revenue_se,
        is_poor_roi,
        first_order_date,
        last_order_date,
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
        assumed_iroas_high

    from metrics

)

select * from final
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by campaign

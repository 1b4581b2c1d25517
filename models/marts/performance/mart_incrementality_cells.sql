with

cells as (

    select * from {{ ref('int_incrementality_cells') }}

),

brands as (

    select * from {{ ref('int_campaign_brands') }}

),

inputs as (

    select
        cells.*,
        brands.brand,
        {{ cell_inputs('cells') }}

    from cells
    left join brands
        on cells.campaign = brands.campaign

),

metrics as (

    select
        inputs.*,
        {{ performance_metrics('inputs') }}

    from inputs

),

final as (

    select
        campaign,
        influencer_id,
        brand,
        method,
        n_exposed,
        n_control,
        holdout_share,
        k,
        exposed_revenue,
        control_revenue,
        exposed_orders,
        control_orders,
        exposed_buyers,
        control_buyers,
        {{ safe_divide('exposed_revenue', 'n_exposed') }}
            as exposed_revenue_per_user,
        {{ safe_divide('control_revenue', 'n_control') }}
            as control_revenue_per_user,
        spend,
        incremental_revenue,
        incremental_revenue_se,
        incremental_revenue_ci_low,
        incremental_revenue_ci_high,
        incremental_orders,
        incremental_orders_se,
        p_value,
        mde_iroas,
        power_status,
        iroas,
        iroas_ci_low,
        iroas_ci_high,
        iroas_verdict,
        assumed_iroas_low,
        assumed_iroas_high,
        variance_method,
        incremental_revenue_variance,
        roas,
        incremental_orders_variance,
        exposed_buyers_smoothed,
        control_buyers_smoothed,
        is_spend_only

    from metrics

)

select * from final
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by campaign, influencer_id

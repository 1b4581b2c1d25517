with

cells as (

    select * from {{ ref('int_incrementality_cells') }}

),

inputs as (

    select
        cells.*,
        exposed_revenue as attributed_revenue,
        exposed_orders as attributed_orders,
        case when method = 'measured' then 1 else 0 end as measured_cells,
        case when method = 'modelled' then 1 else 0 end as modelled_cells

    from cells

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
        method,
        n_exposed,
        n_control,
        k,
        exposed_revenue,
        control_revenue,
        exposed_orders,
        control_orders,
        exposed_buyers,
        control_buyers,
        spend,
        incremental_revenue,
        incremental_revenue_se,
        incremental_revenue_ci_low,
        incremental_revenue_ci_high,
        iroas,
        iroas_ci_low,
        iroas_ci_high,
        iroas_verdict,
        incremental_revenue_variance,
        variance_method,
        roas

    from metrics

)

select * from final

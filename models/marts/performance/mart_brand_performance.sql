{#- One row per brand: the cells of the campaigns whose brand it is (see
    int_campaign_brands), summed like every other roll-up. -#}
with

cells as (

    select * from {{ ref('int_incrementality_cells') }}

),

brands as (

    select * from {{ ref('int_campaign_brands') }}

),

brand_cells as (

    select
        brands.brand,
        cells.*

    from cells
    inner join brands
        on cells.campaign = brands.campaign

),

cell_totals as (

    select
        brand,
        count(
            distinct case when campaign <> '(unallocated)' then campaign end
        ) as campaigns,
        count(distinct influencer_id) as influencers,
        {{ sum_cell_inputs() }}

    from brand_cells
    group by brand

),

metrics as (

    select
        cell_totals.*,
        {{ performance_metrics('cell_totals') }}

    from cell_totals

),

final as (

    select
        brand,
        campaigns,
        influencers,
        attributed_revenue,
        attributed_orders,
        control_revenue,
        control_orders,
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
        is_poor_roi,
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
order by brand

with

influencers as (

    select * from {{ ref('dim_influencers') }}

),

cells as (

    select * from {{ ref('int_incrementality_cells') }}

),

personas as (

    select
        category,
        gender,
        count(*) as influencers

    from influencers
    group by category, gender

),

persona_cells as (

    select
        influencers.category,
        influencers.gender,
        cells.*

    from cells
    inner join influencers
        on cells.influencer_id = influencers.influencer_id

),

cell_totals as (

    select
        category,
        gender,
        {{ sum_cell_inputs() }}

    from persona_cells
    group by category, gender

),

joined as (

    select
        personas.category,
        personas.gender,
        personas.influencers,
        {{ coalesce_cell_inputs('cell_totals') }}

    from personas
    left join cell_totals
        on personas.category = cell_totals.category
        and personas.gender = cell_totals.gender

),

metrics as (

    select
        joined.*,
        {{ performance_metrics('joined') }}

    from joined

),

final as (

    select
        category,
        gender,
        influencers,
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
        assumed_iroas_high

    from metrics

)

select * from final
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by category, gender

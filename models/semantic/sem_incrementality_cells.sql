{#- The incrementality cells (campaign x influencer) as the semantic layer sees
    them: spend, attributed and incremental revenue per cell, with a stable cell
    key and a date so that MetricFlow can place the cell on its time spine.
    Spend and incremental revenue are measured per cell over the whole
    programme, so the cell's date is when it started: its first order, else its
    campaign's first order, else the programme's first date
    (docs/semantic-layer.md). -#}
with

cells as (

    select * from {{ ref('mart_incrementality_cells') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

programme as (

    select first_date from {{ ref('mart_programme_summary') }}

),

cell_dates as (

    select
        campaign,
        influencer_id,
        min(order_date) as first_order_date
    from orders
    group by campaign, influencer_id

),

campaign_dates as (

    select
        campaign,
        min(order_date) as first_order_date
    from orders
    group by campaign

),

final as (

    select
        {{ stable_key(['cells.campaign', 'cells.influencer_id']) }} as cell_id,
        cells.campaign,
        cells.influencer_id,
        cells.method,
        coalesce(
            cell_dates.first_order_date,
            campaign_dates.first_order_date,
            programme.first_date
        ) as cell_start_date,
        cells.spend,
        cells.exposed_revenue as attributed_revenue,
        cells.incremental_revenue

    from cells
    cross join programme
    left join cell_dates
        on cells.campaign = cell_dates.campaign
        and cells.influencer_id = cell_dates.influencer_id
    left join campaign_dates
        on cells.campaign = campaign_dates.campaign

)

select * from final

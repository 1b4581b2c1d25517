{#- Per-user purchases per cell (campaign, influencer_id) and arm: x = revenue
    summed per user within the cell and arm, the unit of the variance estimate.
    Incremental with fct_orders (docs/incremental.md): a build on top of the
    previous one recomputes only the (cell, arm, user) groups that have a changed
    order line, old or new (int_order_changes), from the updated fct_orders. The
    sums are exact decimals, so a group recomputed equals a full rebuild's. -#}
{{ config(
    materialized=('incremental' if incremental_orders_enabled() else 'table'),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=(
        "{% if is_incremental() %}delete from {{ this }} where exists (select 1 from "
        ~ "{{ ref('int_order_changes') }} as changes where changes.campaign is not distinct from "
        ~ "{{ this }}.campaign and changes.influencer_id is not distinct from {{ this }}.influencer_id "
        ~ "and changes.exposure_group is not distinct from {{ this }}.exposure_group "
        ~ "and changes.user_id is not distinct from {{ this }}.user_id){% endif %}"
    )
) }}
-- depends_on: {{ ref('int_order_changes') }}

with

orders as (

    select * from {{ ref('fct_orders') }}

),

{% if is_incremental() -%}

changed_groups as (

    select distinct campaign, influencer_id, exposure_group, user_id
    from {{ ref('int_order_changes') }}

),

lines as (

    select orders.*
    from orders
    inner join changed_groups
        on orders.campaign is not distinct from changed_groups.campaign
        and orders.influencer_id is not distinct from changed_groups.influencer_id
        and orders.exposure_group is not distinct from changed_groups.exposure_group
        and orders.user_id is not distinct from changed_groups.user_id

),

{%- else -%}

lines as (

    select * from orders

),

{%- endif %}

final as (

    select
        campaign,
        influencer_id,
        exposure_group,
        user_id,
        -- exact (decimal): summed again per cell in int_holdout_cells
        {{ sum_money('revenue') }} as revenue,
        cast(sum(orders) as {{ dbt.type_bigint() }}) as orders,
        count(*) as order_lines

    from lines
    group by campaign, influencer_id, exposure_group, user_id

)

select * from final

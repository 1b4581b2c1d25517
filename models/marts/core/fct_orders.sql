{#- One row per order line. On DuckDB an incremental model keyed by order_id
    (docs/incremental.md, macros/incremental_orders.sql): a build on top of the
    previous one records which orders changed, deletes their lines and appends
    their new ones; the first build and a full refresh store int_order_lines
    whole. -#}
{{ config(
    materialized=('incremental' if incremental_orders_enabled() else 'table'),
    unique_key='order_id',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{% if is_incremental() %}"
        ~ "{{ record_order_changes(ref('int_order_lines')) }}{% endif %}",
        "{% if is_incremental() %}{{ delete_changed_orders() }}{% endif %}"
    ]
) }}

with

lines as (

    {% if is_incremental() -%}
    -- only the changed orders' lines, as the source now has them
    select * from {{ order_changes_relation() }}
    where change_side = 'new'
    {%- else -%}
    select * from {{ ref('int_order_lines') }}
    {%- endif %}

),

final as (

    select
        line_number,
        order_id,
        is_order_id_derived,
        order_date,
        campaign,
        influencer_id,
        user_id,
        product,
        brand,
        product_category,
        traffic_source,
        exposure_group,
        is_exposed,
        orders,
        revenue,
        attributed_orders,
        attributed_revenue,
        control_orders,
        control_revenue

    from lines

)

select * from final

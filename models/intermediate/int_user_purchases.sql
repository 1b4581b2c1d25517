{#- Per-user purchases per cell (campaign, influencer_id) and arm: x = revenue
    summed per user within the cell and arm, the unit of the variance estimate.
    Read from int_order_lines, the lines fct_orders publishes; rebuilt in full
    on every build (fct_orders alone is incremental). -#}

with

lines as (

    select * from {{ ref('int_order_lines') }}

),

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

{#- The brand of each campaign, for the brand roll-up: the brand with the most
    attributed (exposed) revenue among the campaign's tracked orders, then the
    most revenue of both arms, then the first by name. A campaign without
    tracked orders has brand '(unknown)'; the spend bucket '(unallocated)' keeps
    its name. Every campaign with a cell has one row. -#}
with

orders as (

    select * from {{ ref('int_order_lines') }}

),

cells as (

    select distinct campaign from {{ ref('int_holdout_cells') }}

),

brand_revenue as (

    select
        campaign,
        coalesce(brand, '(unknown)') as brand,
        -- exact: the ranking below must not depend on the order floats were
        -- added in
        {{ sum_money('attributed_revenue') }} as attributed_revenue,
        {{ sum_money('revenue') }} as revenue

    from orders
    group by campaign, coalesce(brand, '(unknown)')

),

ranked as (

    select
        campaign,
        brand,
        row_number() over (
            partition by campaign
            order by attributed_revenue desc, revenue desc, brand asc
        ) as brand_rank

    from brand_revenue

),

final as (

    select
        cells.campaign,
        case
            when ranked.brand is not null then ranked.brand
            when cells.campaign = '(unallocated)' then '(unallocated)'
            else '(unknown)'
        end as brand

    from cells
    left join ranked
        on cells.campaign = ranked.campaign
        and ranked.brand_rank = 1

)

-- stored in key order: the marts add floats over these rows, and a sum of
-- floats depends on the order it adds in; the sums above run in parallel and
-- emit rows in any order, so without this two builds of the same input could
-- differ in the last bit
select * from final
order by campaign

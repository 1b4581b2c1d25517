{#- One row per cell (campaign, influencer_id): the cells come from tracking
    rows, audiences rows and allocated spend, so a cell with spend but no
    orders (and the '(unallocated)' cell) exists. Per arm: size N (from
    audiences), revenue R = sum of x, sum of x^2, order units O = sum of o and
    sum of o^2 (o = a user's units within the cell and arm), and buyers. -#}
with

user_purchases as (

    select * from {{ ref('int_user_purchases') }}

),

audiences as (

    select * from {{ ref('stg_audiences') }}
    -- audiences are only used when the run says the file was supplied
    where {{ bool_var_sql('has_audiences') }}

),

spend as (

    select * from {{ ref('int_spend_allocated') }}

),

arms as (

    select
        campaign,
        influencer_id,
        {{ sum_money('case when exposure_group = 1 then revenue else 0 end') }}
            as exposed_revenue,
        {{ sum_money('case when exposure_group = 0 then revenue else 0 end') }}
            as control_revenue,
        {{ sum_money_squared(
            'case when exposure_group = 1 then revenue else 0 end'
        ) }} as exposed_revenue_sq,
        {{ sum_money_squared(
            'case when exposure_group = 0 then revenue else 0 end'
        ) }} as control_revenue_sq,
        cast(
            sum(
                case when exposure_group = 1 then orders else 0 end
            ) as {{ dbt.type_bigint() }}
        ) as exposed_orders,
        cast(
            sum(
                case when exposure_group = 0 then orders else 0 end
            ) as {{ dbt.type_bigint() }}
        ) as control_orders,
        cast(
            sum(
                case when exposure_group = 1 then orders * orders else 0 end
            ) as {{ dbt.type_bigint() }}
        ) as exposed_orders_sq,
        cast(
            sum(
                case when exposure_group = 0 then orders * orders else 0 end
            ) as {{ dbt.type_bigint() }}
        ) as control_orders_sq,
        {{ count_where('exposure_group = 1') }} as exposed_buyers,
        {{ count_where('exposure_group = 0') }} as control_buyers

    from user_purchases
    group by campaign, influencer_id

),

audience_arms as (

    select
        campaign,
        influencer_id,
        cast(
            sum(
                case when exposure_group = 1 then users end
            ) as {{ dbt.type_bigint() }}
        ) as n_exposed,
        cast(
            sum(
                case when exposure_group = 0 then users end
            ) as {{ dbt.type_bigint() }}
        ) as n_control,
        max(case when exposure_group = 0 then 1 else 0 end) as has_control_arm

    from audiences
    group by campaign, influencer_id

),

cell_keys as (

    select
        campaign,
        influencer_id
    from arms
    union
    select
        campaign,
        influencer_id
    from audience_arms
    union
    select
        campaign,
        influencer_id
    from spend

),

final as (

    select
        cell_keys.campaign,
        cell_keys.influencer_id,
        audience_arms.n_exposed,
        audience_arms.n_control,
        coalesce(audience_arms.has_control_arm = 1, false)
            as has_audience_control_arm,
        -- floats from here on: the sums are exact
        cast(coalesce(arms.exposed_revenue, 0) as {{ type_money() }})
            as exposed_revenue,
        cast(coalesce(arms.control_revenue, 0) as {{ type_money() }})
            as control_revenue,
        cast(coalesce(arms.exposed_revenue_sq, 0) as {{ type_money() }})
            as exposed_revenue_sq,
        cast(coalesce(arms.control_revenue_sq, 0) as {{ type_money() }})
            as control_revenue_sq,
        coalesce(arms.exposed_orders, 0) as exposed_orders,
        coalesce(arms.control_orders, 0) as control_orders,
        coalesce(arms.exposed_orders_sq, 0) as exposed_orders_sq,
        coalesce(arms.control_orders_sq, 0) as control_orders_sq,
        coalesce(arms.exposed_buyers, 0) as exposed_buyers,
        coalesce(arms.control_buyers, 0) as control_buyers,
        coalesce(spend.spend, 0) as spend

    from cell_keys
    left join arms
        on cell_keys.campaign = arms.campaign
        and cell_keys.influencer_id = arms.influencer_id
    left join audience_arms
        on cell_keys.campaign = audience_arms.campaign
        and cell_keys.influencer_id = audience_arms.influencer_id
    left join spend
        on cell_keys.campaign = spend.campaign
        and cell_keys.influencer_id = spend.influencer_id

)

-- stored in key order: the marts add floats over these rows, and a sum of
-- floats depends on the order it adds in; the sums above run in parallel and
-- emit rows in any order, so without this two builds of the same input could
-- differ in the last bit
select * from final
order by campaign, influencer_id

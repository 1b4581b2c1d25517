{#- The plan against the status quo, one row (docs/plan.md). Expected
    incremental revenue is sum spend x posterior_iroas; its 90% interval is
    normal, with the variance sum spend^2 x posterior sd^2 (influencers
    independent given the pool). -#}

{#- the plan's note (plain text: no quote inside) -#}
{%- set notes = {
    'nothing_measured': 'Nothing is measured: without a control group every'
        ~ ' iROAS is assumed, so the plan holds every influencer at its'
        ~ ' current spend and proposes a holdout test for each.',
    'budget_unspent': 'The profitable influencers cannot absorb the whole'
        ~ ' budget at the maximum scale: the rest stays unspent.',
    'fully_allocated': 'The budget is fully allocated.'
} -%}

with

plan as (

    select * from {{ ref('mart_influencer_plan') }}

),

current_totals as (

    select
        coalesce(sum(case when spend > 0 then spend else 0 end), 0)
            as current_spend

    from plan

),

budget as (

    select {{ plan_budget('current_spend') }} as budget

    from current_totals

),

totals as (

    select
        coalesce(sum(planned_spend), 0) as planned_spend,
        coalesce(sum(planned_spend * posterior_iroas), 0)
            as expected_incremental_revenue,
        coalesce(
            sum(
                planned_spend
                * planned_spend
                * posterior_iroas_sd
                * posterior_iroas_sd
            ),
            0
        ) as expected_incremental_revenue_variance,
        coalesce(sum(expected_net_return), 0) as expected_net_return,
        coalesce(
            sum(case when posterior_iroas is not null then spend else 0 end), 0
        ) as status_quo_spend,
        coalesce(sum(spend * posterior_iroas), 0)
            as status_quo_incremental_revenue,
        coalesce(
            sum(spend * spend * posterior_iroas_sd * posterior_iroas_sd), 0
        ) as status_quo_incremental_revenue_variance,
        coalesce(sum(spend * (posterior_iroas - {{ num_var('breakeven') }})), 0)
            as status_quo_net_return,
        coalesce(sum(case
            when
                posterior_iroas > {{ num_var('breakeven') }}
                and recommendation <> 'test'
                then max_planned_spend
            else 0
        end), 0) as absorbable_spend,
        {{ count_where("recommendation = 'scale'") }} as influencers_scale,
        {{ count_where("recommendation = 'keep'") }} as influencers_keep,
        {{ count_where("recommendation = 'test'") }} as influencers_test,
        {{ count_where("recommendation = 'cut'") }} as influencers_cut,
        coalesce(sum(test_holdout_cost), 0) as test_holdout_cost,
        {{ count_where("posterior_method in ('measured', 'mixed')") }}
            as influencers_measured

    from plan

),

final as (

    select
        budget.budget,
        totals.planned_spend,
        totals.expected_incremental_revenue,
        {{ normal_90_bound(
            'totals.expected_incremental_revenue',
            'totals.expected_incremental_revenue_variance',
            'low'
        ) }} as expected_incremental_revenue_low,
        {{ normal_90_bound(
            'totals.expected_incremental_revenue',
            'totals.expected_incremental_revenue_variance',
            'high'
        ) }} as expected_incremental_revenue_high,
        totals.expected_net_return,
        totals.status_quo_spend,
        totals.status_quo_incremental_revenue,
        {{ normal_90_bound(
            'totals.status_quo_incremental_revenue',
            'totals.status_quo_incremental_revenue_variance',
            'low'
        ) }} as status_quo_incremental_revenue_low,
        {{ normal_90_bound(
            'totals.status_quo_incremental_revenue',
            'totals.status_quo_incremental_revenue_variance',
            'high'
        ) }} as status_quo_incremental_revenue_high,
        totals.status_quo_net_return,
        -- extensions
        budget.budget - totals.planned_spend as unspent_budget,
        totals.expected_net_return
        - totals.status_quo_net_return as net_return_gain,
        {{ num_var('plan_max_scale') }} as max_scale,
        {{ num_var('breakeven') }} as breakeven,
        totals.influencers_scale,
        totals.influencers_keep,
        totals.influencers_test,
        totals.influencers_cut,
        totals.influencers_measured,
        totals.test_holdout_cost,
        case
            when totals.influencers_measured = 0
                then '{{ notes.nothing_measured }}'
            when budget.budget - totals.planned_spend >= 0.01
                then '{{ notes.budget_unspent }}'
            else '{{ notes.fully_allocated }}'
        end as plan_note

    from totals
    cross join budget

)

select * from final

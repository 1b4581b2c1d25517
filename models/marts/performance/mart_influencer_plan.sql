{#- The next period's plan, one row per influencer (docs/plan.md).

    Allocation: maximise sum planned x (posterior_iroas - b) with
    0 <= planned <= S x spend and sum planned <= B, under one constraint of
    evidence: an influencer without a measurement (posterior_method pooled or
    assumed) holds its current spend (an assumption never scales or cuts),
    scaled down pro rata when B cannot pay even those. The rest of B goes
    greedily (the optimum of this linear programme) by posterior iROAS, highest
    first, ties by influencer_id, each up to its cap, to every influencer whose
    posterior iROAS exceeds b. Every amount is rounded down to the paisa.

    Recommendation, on the posterior interval at plan_credible_level (90%):
    no spend -> keep (nothing to reallocate); no measurement -> test; interval
    below b -> cut; interval above b -> scale when the plan raises the spend,
    else keep; interval containing b -> test. -#}
{#- the sentence beside each recommendation (plain text: no quote inside) -#}
{%- set rationales = {
    'no_spend': 'No spend this period: nothing to reallocate.',
    'assumed': 'No control group: the iROAS is assumed, not measured.'
        ~ ' Hold the spend and run a holdout test.',
    'cut': 'The posterior interval lies below break-even: stop paying.',
    'scale': 'The posterior interval lies above break-even:'
        ~ ' fund it further, up to the cap.',
    'budget_short': 'Profitable, but the budget runs out before this'
        ~ ' influencer.',
    'keep': 'Profitable: hold at the current spend.',
    'test_funded': 'Inconclusive, but the expected iROAS clears break-even:'
        ~ ' funded while a test settles it.',
    'test_unfunded': 'Inconclusive, and the expected iROAS is below'
        ~ ' break-even: unfunded until a test shows otherwise.'
} -%}

with

performance as (

    select * from {{ ref('mart_influencer_performance') }}

),

posterior as (

    select * from {{ ref('int_influencer_posterior') }}

),

payouts as (

    select * from {{ ref('mart_payout_tracking') }}

),

cells as (

    select * from {{ ref('int_incrementality_cells') }}

),

shares as (

    {{ test_holdout_shares() }}

),

{# what a test design needs per influencer: the users and per-arm revenue
    variances of its sized cells (audiences), else the revenue variance of all
    its cells, to be spread over the reach of its posts (the proxy) #}
design_inputs as (

    select
        influencer_id,
        sum(
            case
                when variance_method = 'arm_sizes'
                    then n_exposed + n_control
                else 0
            end
        ) as audience_users,
        sum(
            case
                when variance_method = 'arm_sizes'
                    then exposed_revenue_variance
                else 0
            end
        ) as audience_exposed_variance,
        sum(
            case
                when variance_method = 'arm_sizes'
                    then control_revenue_variance
                else 0
            end
        ) as audience_control_variance,
        sum(case when variance_method = 'arm_sizes' then n_exposed else 0 end)
            as audience_exposed_users,
        sum(case when variance_method = 'arm_sizes' then n_control else 0 end)
            as audience_control_users,
        sum(
            case
                when variance_method = 'compound_poisson'
                    then exposed_revenue_variance + control_revenue_variance
                when method = 'modelled' then exposed_revenue_sq
                else 0
            end
        ) as unsized_revenue_variance,
        -- revenue per purchase: sum x^2 / sum x, what one more buyer adds to an
        -- arm's variance
        {{ safe_divide(
            'sum(exposed_revenue_sq + control_revenue_sq)',
            'sum(exposed_revenue + control_revenue)'
        ) }} as revenue_phi

    from cells
    group by influencer_id

),

base as (

    select
        performance.influencer_id,
        performance.name,
        performance.spend,
        performance.roas,
        performance.iroas,
        performance.iroas_verdict,
        performance.reach,
        posterior.posterior_method,
        posterior.posterior_iroas,
        posterior.posterior_iroas_sd,
        posterior.posterior_iroas_low,
        posterior.posterior_iroas_high,
        posterior.p_profitable,
        case
            when
                coalesce(performance.spend, 0) <= 0
                or posterior.posterior_iroas is null
                then 'none'
            when posterior.posterior_method in ('pooled', 'assumed')
                then 'fixed'
            else 'flexible'
        end as funding_class,
        payouts.basis as payout_basis,
        case when payouts.basis in ('order', 'post') then payouts.rate end
            as payout_rate,
        design_inputs.audience_users,
        design_inputs.audience_exposed_users,
        design_inputs.audience_control_users,
        design_inputs.audience_exposed_variance,
        design_inputs.audience_control_variance,
        design_inputs.unsized_revenue_variance,
        design_inputs.revenue_phi

    from performance
    left join posterior
        on performance.influencer_id = posterior.influencer_id
    left join payouts
        on performance.influencer_id = payouts.influencer_id
    left join design_inputs
        on performance.influencer_id = design_inputs.influencer_id

),

current_totals as (

    select
        coalesce(sum(case when spend > 0 then spend else 0 end), 0)
            as current_spend,
        coalesce(
            sum(case when funding_class = 'fixed' then spend else 0 end), 0
        ) as fixed_spend

    from base

),

budget as (

    select
        {{ plan_budget('current_spend') }} as budget,
        fixed_spend

    from current_totals

),

fixed_funding as (

    select
        base.influencer_id,
        {{ floor_cents(
            'base.spend * least(1.0, '
            ~ safe_divide('budget.budget', 'budget.fixed_spend') ~ ')'
        ) }} as planned_spend

    from base
    cross join budget
    where base.funding_class = 'fixed'

),

fixed_total as (

    select sum(planned_spend) as planned_spend

    from fixed_funding

),

remaining as (

    select
        budget.budget - coalesce(fixed_total.planned_spend, 0)
            as flexible_budget

    from budget
    cross join fixed_total

),

candidates as (

    select
        influencer_id,
        posterior_iroas,
        {{ floor_cents('spend * ' ~ num_var('plan_max_scale')) }} as cap

    from base
    where
        funding_class = 'flexible'
        and posterior_iroas > {{ num_var('breakeven') }}
        and not posterior_iroas_high < {{ num_var('breakeven') }}

),

ranked as (

    select
        influencer_id,
        cap,
        cast(
            row_number() over (order by posterior_iroas desc, influencer_id asc)
            as {{ dbt.type_bigint() }}
        ) as funding_rank,
        coalesce(
            sum(cap) over (
                order by posterior_iroas desc, influencer_id asc
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as funded_before

    from candidates

),

flexible_funding as (

    select
        ranked.influencer_id,
        ranked.funding_rank,
        {{ floor_cents(
            'greatest(least(ranked.cap, '
            ~ 'remaining.flexible_budget - ranked.funded_before), 0)'
        ) }} as planned_spend

    from ranked
    cross join remaining

),

planned as (

    select
        base.*,
        flexible_funding.funding_rank,
        case
            when base.funding_class = 'fixed' then fixed_funding.planned_spend
            else coalesce(flexible_funding.planned_spend, 0)
        end as planned_spend,
        case
            when base.funding_class = 'none' then 'keep'
            when base.funding_class = 'fixed' then 'test'
            when base.posterior_iroas_high < {{ num_var('breakeven') }}
                then 'cut'
            when base.posterior_iroas_low > {{ num_var('breakeven') }}
                then
                    case
                        when
                            coalesce(flexible_funding.planned_spend, 0)
                            > base.spend
                            then 'scale'
                        else 'keep'
                    end
            else 'test'
        end as recommendation

    from base
    left join fixed_funding
        on base.influencer_id = fixed_funding.influencer_id
    left join flexible_funding
        on base.influencer_id = flexible_funding.influencer_id

),

{# the test design: per test row and candidate holdout share, its arms and
    MDE at the current spend; the smallest share whose MDE reaches the target
    wins #}
design_arms as (

    select
        planned.influencer_id,
        shares.holdout_share,
        case
            when planned.audience_users > 0 then 'audiences' else 'post_reach'
        end as design_basis,
        case
            when planned.audience_users > 0 then planned.audience_users else
                planned.reach
        end as users,
        case
            when planned.audience_users > 0
                then
                    {{ safe_divide(
                        'planned.audience_exposed_variance',
                        'planned.audience_exposed_users'
                    ) }}
            else
                {{ safe_divide(
                    'planned.unsized_revenue_variance', 'planned.reach'
                ) }}
        end as exposed_user_variance,
        case
            when planned.audience_users > 0
                then
                    {{ safe_divide(
                        'planned.audience_control_variance',
                        'planned.audience_control_users'
                    ) }}
            else
                {{ safe_divide(
                    'planned.unsized_revenue_variance', 'planned.reach'
                ) }}
        end as control_user_variance,
        planned.spend,
        coalesce(planned.revenue_phi, 0) as revenue_phi

    from planned
    cross join shares
    where
        planned.recommendation = 'test'
        and (planned.audience_users > 0 or planned.reach > 0)

),

design_sized as (

    select
        *,
        cast(
            users
            - floor(users * holdout_share + 1e-9) as {{ dbt.type_bigint() }}
        ) as exposed_users,
        cast(floor(users * holdout_share + 1e-9) as {{ dbt.type_bigint() }})
            as control_users

    from design_arms

),

{# The MDE at the arms, honest about the effect it promises to detect: an effect
    of M x spend adds M x spend / N1 per exposed user, so M x spend x phi / N1
    of per-user variance (phi = revenue per purchase, sum x^2 / sum x) to the
    exposed arm. With s1^2 taken under that effect the contract's formula M =
    2.8016 N1 sqrt(s1^2 / N1 + s0^2 / N0) / spend is a quadratic in M: M = (B +
    sqrt(B^2 + 4 M0^2)) / 2 with B = 2.8016^2 phi / spend and M0 the formula at
    today's s1^2. Without it a large MDE (small arms) is detected far less often
    than promised (tests/test_decisions.py). #}
design_base as (

    select
        *,
        case
            when exposed_users > 0 and control_users > 0 and spend > 0
                then
                    {{ mde_multiplier() }} * exposed_users
                    * sqrt(
                        exposed_user_variance / exposed_users
                        + control_user_variance / control_users
                    )
                    / spend
        end as mde_at_current_variance,
        {{ mde_multiplier() }}
        * {{ mde_multiplier() }}
        * revenue_phi
        / spend as effect_term

    from design_sized

),

design_mde as (

    select
        *,
        (effect_term + sqrt(
            effect_term * effect_term
            + 4 * mde_at_current_variance * mde_at_current_variance
        )) / 2 as mde_iroas

    from design_base

),

design_choice as (

    select
        *,
        row_number() over (
            partition by influencer_id
            order by
                case
                    when mde_iroas <= {{ num_var('plan_target_mde') }}
                        then 0 else
                        1
                end,
                case
                    when mde_iroas <= {{ num_var('plan_target_mde') }}
                        then holdout_share
                    else -holdout_share
                end
        ) as design_rank

    from design_mde

),

designs as (

    select * from design_choice
    where design_rank = 1

),

final as (

    select
        planned.influencer_id,
        planned.name,
        planned.spend,
        planned.iroas,
        planned.iroas_verdict,
        planned.posterior_iroas,
        planned.posterior_iroas_low,
        planned.posterior_iroas_high,
        planned.p_profitable,
        planned.recommendation,
        planned.planned_spend,
        -- 0 rather than -0.0 when nothing is planned for a negative posterior
        case
            when
                planned.planned_spend = 0
                and planned.posterior_iroas is not null
                then 0.0
            else planned.planned_spend * planned.posterior_iroas
        end as expected_incremental_revenue,
        case
            when
                planned.payout_rate is not null
                and planned.posterior_iroas is not null
                then
                    greatest(
                        planned.payout_rate
                        * planned.posterior_iroas
                        / {{ num_var('breakeven') }},
                        0
                    )
        end as breakeven_rate,
        designs.exposed_users as test_exposed_users,
        designs.control_users as test_control_users,
        designs.mde_iroas as test_mde_iroas,
        case
            when planned.recommendation = 'test'
                then
                    coalesce(
                        designs.holdout_share, {{ num_var('holdout_share') }}
                    )
        end as test_holdout_share,
        case
            when planned.recommendation = 'test'
                then
                    coalesce(
                        designs.holdout_share, {{ num_var('holdout_share') }}
                    )
                    * greatest(planned.posterior_iroas, 0) * planned.spend
        end as test_holdout_cost,
        -- extensions
        planned.roas,
        planned.posterior_method,
        planned.posterior_iroas_sd,
        case
            when planned.spend > 0
                then
                    {{ floor_cents(
                        'planned.spend * ' ~ num_var('plan_max_scale')
                    ) }}
            else
                0
        end as max_planned_spend,
        planned.planned_spend - coalesce(planned.spend, 0) as planned_change,
        case
            when
                planned.planned_spend = 0
                and planned.posterior_iroas is not null
                then 0.0
            else
                planned.planned_spend
                * (planned.posterior_iroas - {{ num_var('breakeven') }})
        end as expected_net_return,
        planned.spend
        * planned.posterior_iroas as status_quo_incremental_revenue,
        planned.spend
        * (planned.posterior_iroas - {{ num_var('breakeven') }})
            as status_quo_net_return,
        planned.funding_rank,
        planned.payout_basis,
        planned.payout_rate,
        case
            when planned.posterior_iroas is not null
                then
                    greatest(
                        planned.spend
                        * planned.posterior_iroas
                        / {{ num_var('breakeven') }},
                        0
                    )
        end as breakeven_spend,
        case
            when planned.recommendation <> 'test' then null
            when designs.influencer_id is null then 'unavailable'
            else designs.design_basis
        end as test_design_basis,
        case
            when planned.recommendation = 'test'
                then {{ num_var('plan_target_mde') }}
        end as test_target_mde,
        -- the per-user revenue variances behind test_mde_iroas (the exposed one
        -- under the effect it detects), so that the contract's formula can be
        -- checked
        designs.exposed_user_variance
        + designs.mde_iroas
        * designs.spend
        * designs.revenue_phi
        / designs.exposed_users
            as test_exposed_user_variance,
        designs.control_user_variance as test_control_user_variance,
        case
            when
                planned.recommendation = 'test'
                and designs.mde_iroas is not null
                then designs.mde_iroas <= {{ num_var('plan_target_mde') }}
        end as test_reaches_target,
        case
            when planned.funding_class = 'none'
                then '{{ rationales.no_spend }}'
            when planned.funding_class = 'fixed'
                then '{{ rationales.assumed }}'
            when planned.recommendation = 'cut'
                then '{{ rationales.cut }}'
            when planned.recommendation = 'scale'
                then '{{ rationales.scale }}'
            when
                planned.recommendation = 'keep'
                and planned.planned_spend < planned.spend
                then '{{ rationales.budget_short }}'
            when planned.recommendation = 'keep'
                then '{{ rationales.keep }}'
            when planned.planned_spend > 0
                then '{{ rationales.test_funded }}'
            else '{{ rationales.test_unfunded }}'
        end as rationale

    from planned
    left join designs
        on planned.influencer_id = designs.influencer_id

)

select * from final
order by influencer_id

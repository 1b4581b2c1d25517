{#- Incremental revenue and orders, and their sampling variances, per cell
    (campaign, influencer_id). The derivations are in docs/incrementality.md.

    measured: a control arm exists. With audiences (var has_audiences) that is
      the cell's group 0 row in audiences; without audiences every cell is
      measured when the tracking file has a group column (var
      tracking_has_group). k = N1 / N0 from audiences, else (1 - h) / h;
      incremental = R1 - k * R0.
    modelled: incremental = R1 - R1 / (1 + L), no variance; the band over the
      lift range [lift_range_low, lift_range_high] is kept beside it.

    Variance of R1 - k R0 (independent arms): Var(R1) + k^2 Var(R0), each arm
    Var(R) = lambda m2 - lambda^2 mu^2 / N (binomial buyers with arm sizes) or
    lambda m2 (compound Poisson, without arm sizes), where
      lambda = expected buyers of the arm: max(B, (B + a) P / (P + a)), the
        empirical-Bayes posterior mean floored at the buyers seen, P the prior
        expected buyers = the campaign's pooled conversion rate of that arm x N
        (with arm sizes), or the campaign's share of buyers in that arm x the
        cell's buyers in both arms (without), a = eb_prior_buyers;
      m2, mu = the cell's per-buyer mean of x^2 and of x (both arms pooled),
        shrunk toward the campaign's with eb_moment_prior_buyers pseudo-buyers.
    As the arms grow lambda -> B, m2 -> sum x^2 / B, mu -> sum x / B and the
    variance tends to the contract's plug-in N1^2 (s1^2/N1 + s0^2/N0) (with arm
    sizes) or sum_1 x^2 + k^2 sum_0 x^2 (without). Incremental orders use the
    same expected buyers with the per-buyer moments of order units. -#}
with

cells as (

    select * from {{ ref('int_holdout_cells') }}

),

classified as (

    select
        *,
        {% if bool_var('has_audiences') -%}
        has_audience_control_arm as is_measured
        {%- else -%}
        {{ bool_var_sql('tracking_has_group') }} as is_measured
        {%- endif %}

    from cells

),

sized as (

    select
        *,
        coalesce(is_measured and n_exposed > 0 and n_control > 0, false)
            as has_arm_sizes

    from classified

),

{# campaign sums over measured cells: the priors of the smoothing #}
campaign_sums as (

    select
        campaign,
        sum(case when has_arm_sizes then exposed_buyers else 0 end)
            as sized_exposed_buyers,
        sum(case when has_arm_sizes then control_buyers else 0 end)
            as sized_control_buyers,
        sum(case when has_arm_sizes then n_exposed else 0 end)
            as sized_n_exposed,
        sum(case when has_arm_sizes then n_control else 0 end)
            as sized_n_control,
        sum(exposed_buyers) as exposed_buyers,
        sum(control_buyers) as control_buyers,
        sum(exposed_revenue + control_revenue) as revenue,
        sum(exposed_revenue_sq + control_revenue_sq) as revenue_sq,
        sum(exposed_orders + control_orders) as orders,
        sum(exposed_orders_sq + control_orders_sq) as orders_sq

    from sized
    where is_measured
    group by campaign

),

programme_sums as (

    select
        sum(sized_exposed_buyers) as sized_exposed_buyers,
        sum(sized_control_buyers) as sized_control_buyers,
        sum(sized_n_exposed) as sized_n_exposed,
        sum(sized_n_control) as sized_n_control,
        sum(exposed_buyers) as exposed_buyers,
        sum(control_buyers) as control_buyers,
        sum(revenue) as revenue,
        sum(revenue_sq) as revenue_sq,
        sum(orders) as orders,
        sum(orders_sq) as orders_sq

    from campaign_sums

),

{# per campaign: its pooled value, else the programme's when the campaign has no
    buyer to learn from, else (no buyer in that arm anywhere) the null
    hypothesis: the rate of both arms pooled, the holdout share of buyers #}
campaign_priors as (

    select
        c.campaign,
        coalesce(
            nullif(
                {{ safe_divide(
                    'c.sized_exposed_buyers', 'c.sized_n_exposed'
                ) }},
                0
            ),
            nullif(
                {{ safe_divide(
                    'p.sized_exposed_buyers', 'p.sized_n_exposed'
                ) }},
                0
            ),
            {{ safe_divide('p.sized_exposed_buyers + p.sized_control_buyers',
                           'p.sized_n_exposed + p.sized_n_control') }}
        ) as exposed_rate,
        coalesce(
            nullif(
                {{ safe_divide(
                    'c.sized_control_buyers', 'c.sized_n_control'
                ) }},
                0
            ),
            nullif(
                {{ safe_divide(
                    'p.sized_control_buyers', 'p.sized_n_control'
                ) }},
                0
            ),
            {{ safe_divide('p.sized_exposed_buyers + p.sized_control_buyers',
                           'p.sized_n_exposed + p.sized_n_control') }}
        ) as control_rate,
        coalesce(
            nullif(
                {{ safe_divide(
                    'c.exposed_buyers', 'c.exposed_buyers + c.control_buyers'
                ) }},
                0
            ),
            nullif(
                {{ safe_divide(
                    'p.exposed_buyers', 'p.exposed_buyers + p.control_buyers'
                ) }},
                0
            ),
            1 - {{ num_var('holdout_share') }}
        ) as exposed_buyer_share,
        coalesce(
            nullif(
                {{ safe_divide(
                    'c.control_buyers', 'c.exposed_buyers + c.control_buyers'
                ) }},
                0
            ),
            nullif(
                {{ safe_divide(
                    'p.control_buyers', 'p.exposed_buyers + p.control_buyers'
                ) }},
                0
            ),
            {{ num_var('holdout_share') }}
        ) as control_buyer_share,
        coalesce(
            {{ safe_divide(
                'c.revenue_sq', 'c.exposed_buyers + c.control_buyers'
            ) }},
            {{ safe_divide(
                'p.revenue_sq', 'p.exposed_buyers + p.control_buyers'
            ) }}
        ) as revenue_m2,
        coalesce(
            {{ safe_divide(
                'c.revenue', 'c.exposed_buyers + c.control_buyers'
            ) }},
            {{ safe_divide(
                'p.revenue', 'p.exposed_buyers + p.control_buyers'
            ) }}
        ) as revenue_mu,
        coalesce(
            {{ safe_divide(
                'c.orders_sq', 'c.exposed_buyers + c.control_buyers'
            ) }},
            {{ safe_divide(
                'p.orders_sq', 'p.exposed_buyers + p.control_buyers'
            ) }}
        ) as orders_m2,
        coalesce(
            {{ safe_divide(
                'c.orders', 'c.exposed_buyers + c.control_buyers'
            ) }},
            {{ safe_divide('p.orders', 'p.exposed_buyers + p.control_buyers') }}
        ) as orders_mu

    from campaign_sums as c
    cross join programme_sums as p

),

with_priors as (

    select
        sized.*,
        case
            when not sized.is_measured then null
            when sized.has_arm_sizes
                then {{ safe_divide('sized.n_exposed', 'sized.n_control') }}
            else
                {{ safe_divide(
                    '1 - ' ~ num_var('holdout_share'), num_var('holdout_share')
                ) }}
        end as k,
        case
            when not sized.is_measured then null
            when sized.has_arm_sizes
                then
                    {{ safe_divide(
                        'sized.n_control', 'sized.n_exposed + sized.n_control'
                    ) }}
            else {{ num_var('holdout_share') }}
        end as holdout_share,
        case
            when sized.has_arm_sizes then priors.exposed_rate * sized.n_exposed
            else
                priors.exposed_buyer_share
                * (sized.exposed_buyers + sized.control_buyers)
        end as exposed_prior_buyers,
        case
            when sized.has_arm_sizes then priors.control_rate * sized.n_control
            else
                priors.control_buyer_share
                * (sized.exposed_buyers + sized.control_buyers)
        end as control_prior_buyers,
        case when sized.has_arm_sizes then sized.n_exposed end
            as variance_n_exposed,
        case when sized.has_arm_sizes then sized.n_control end
            as variance_n_control,
        priors.revenue_m2 as campaign_revenue_m2,
        priors.revenue_mu as campaign_revenue_mu,
        priors.orders_m2 as campaign_orders_m2,
        priors.orders_mu as campaign_orders_mu

    from sized
    left join campaign_priors as priors
        on sized.campaign = priors.campaign
        and sized.is_measured

),

smoothed as (

    select
        *,
        case
            when is_measured
                then
                    {{ eb_expected_buyers(
                        'exposed_buyers', 'exposed_prior_buyers'
                    ) }}
        end as exposed_buyers_smoothed,
        case
            when is_measured
                then
                    {{ eb_expected_buyers(
                        'control_buyers', 'control_prior_buyers'
                    ) }}
        end as control_buyers_smoothed,
        {{ eb_per_buyer_moment(
            'exposed_revenue_sq + control_revenue_sq',
            'exposed_buyers + control_buyers',
            'campaign_revenue_m2'
        ) }} as revenue_m2,
        {{ eb_per_buyer_moment(
            'exposed_revenue + control_revenue',
            'exposed_buyers + control_buyers',
            'campaign_revenue_mu'
        ) }} as revenue_mu,
        {{ eb_per_buyer_moment(
            'exposed_orders_sq + control_orders_sq',
            'exposed_buyers + control_buyers',
            'campaign_orders_m2'
        ) }} as orders_m2,
        {{ eb_per_buyer_moment(
            'exposed_orders + control_orders',
            'exposed_buyers + control_buyers',
            'campaign_orders_mu'
        ) }} as orders_mu

    from with_priors

),

final as (

    select
        campaign,
        influencer_id,
        case when is_measured then 'measured' else 'modelled' end as method,
        coalesce(
            not is_measured and exposed_revenue = 0 and exposed_orders = 0
            and control_revenue = 0 and control_orders = 0, false
        ) as is_spend_only,
        n_exposed,
        n_control,
        holdout_share,
        k,
        exposed_revenue,
        control_revenue,
        exposed_orders,
        control_orders,
        exposed_buyers,
        control_buyers,
        exposed_revenue_sq,
        control_revenue_sq,
        exposed_orders_sq,
        control_orders_sq,
        spend,
        exposed_buyers_smoothed,
        control_buyers_smoothed,
        case
            when is_measured then exposed_revenue - k * control_revenue
            else {{ assumed_increment('exposed_revenue', 'assumed_lift') }}
        end as incremental_revenue,
        case
            when is_measured then
                {{ arm_total_variance(
                    'exposed_buyers_smoothed',
                    'revenue_m2',
                    'revenue_mu',
                    'variance_n_exposed'
                ) }}
                + k
                * k
                * {{ arm_total_variance(
                    'control_buyers_smoothed',
                    'revenue_m2',
                    'revenue_mu',
                    'variance_n_control'
                ) }}
        end as incremental_revenue_variance,
        case
            when is_measured then exposed_orders - k * control_orders
            else {{ assumed_increment('exposed_orders', 'assumed_lift') }}
        end as incremental_orders,
        case
            when is_measured then
                {{ arm_total_variance(
                    'exposed_buyers_smoothed',
                    'orders_m2',
                    'orders_mu',
                    'variance_n_exposed'
                ) }}
                + k
                * k
                * {{ arm_total_variance(
                    'control_buyers_smoothed',
                    'orders_m2',
                    'orders_mu',
                    'variance_n_control'
                ) }}
        end as incremental_orders_variance,
        -- each arm's revenue variance apart: the plan's test design needs them
        -- per user
        case
            when is_measured then
                {{ arm_total_variance(
                    'exposed_buyers_smoothed',
                    'revenue_m2',
                    'revenue_mu',
                    'variance_n_exposed'
                ) }}
        end as exposed_revenue_variance,
        case
            when is_measured then
                {{ arm_total_variance(
                    'control_buyers_smoothed',
                    'revenue_m2',
                    'revenue_mu',
                    'variance_n_control'
                ) }}
        end as control_revenue_variance,
        case
            when not is_measured
                then
                    {{ assumed_increment('exposed_revenue', 'lift_range_low') }}
        end as assumed_increment_low,
        case
            when not is_measured
                then
                    {{ assumed_increment(
                        'exposed_revenue', 'lift_range_high'
                    ) }}
        end as assumed_increment_high,
        case
            when not is_measured then null
            when has_arm_sizes then 'arm_sizes'
            else 'compound_poisson'
        end as variance_method

    from smoothed

)

-- stored in key order: the marts add floats over these rows, and a sum of
-- floats depends on the order it adds in; the sums above run in parallel and
-- emit rows in any order, so without this two builds of the same input could
-- differ in the last bit
select * from final
order by campaign, influencer_id

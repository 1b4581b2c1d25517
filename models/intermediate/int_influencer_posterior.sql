{#- One row per influencer with spend: the posterior of its true iROAS.

    weight of grid point g = prior_g x likelihood_g (int_influencer_share_prior,
    int_influencer_share_likelihood), normalised. Given g, the iROAS is normal
    with mean M_g = incremental revenue / spend and standard deviation S_g = its
    sd / spend (the rate behind the measured arms is itself uncertain). So:
      posterior_iroas = sum w M;  variance = sum w (S^2 + M^2) - mean^2;
      p_profitable    = sum w P(N(M_g, S_g) > b);
      interval        = the (1 - level) / 2 and (1 + level) / 2 quantiles of
                        that mixture, read off its CDF at the points M_g.
    The prior: pooled when the programme has a pool; else flat for an influencer
    with a measured cell and the assumed lift band for one without. -#}
with

likelihood as (

    select * from {{ ref('int_influencer_share_likelihood') }}

),

share_prior as (

    select * from {{ ref('int_influencer_share_prior') }}

),

weighted as (

    select
        likelihood.influencer_id,
        likelihood.grid_index,
        likelihood.spend,
        likelihood.measured_cells,
        likelihood.modelled_cells_with_spend,
        case
            when share_prior.pooled_weight is not null
                then share_prior.pooled_weight
            when likelihood.measured_cells > 0 then share_prior.flat_weight
            else share_prior.assumed_weight
        end
        * exp(
            likelihood.log_likelihood
            - max(likelihood.log_likelihood)
                over (partition by likelihood.influencer_id)
        ) as unnormalised_weight,
        likelihood.incremental_revenue / likelihood.spend as iroas_mean,
        sqrt(greatest(likelihood.incremental_revenue_variance, 0))
        / likelihood.spend as iroas_sd,
        share_prior.pooled_weight is not null as has_pool

    from likelihood
    inner join share_prior
        on likelihood.grid_index = share_prior.grid_index

),

normalised as (

    select
        *,
        unnormalised_weight
        / sum(unnormalised_weight) over (partition by influencer_id) as weight,
        case
            when iroas_sd > 0
                then
                    {{ normal_upper_tail(
                        '(' ~ num_var('breakeven') ~ ' - iroas_mean) / iroas_sd'
                    ) }}
            when iroas_mean > {{ num_var('breakeven') }} then 1.0
            else 0.0
        end as p_above_breakeven

    from weighted

),

{# the mixture's CDF at each point M_g of the same influencer #}
cdf as (

    select
        at_point.influencer_id,
        at_point.iroas_mean as iroas,
        sum(
            component.weight * case
                when component.iroas_sd > 0
                    then
                        1
                        - {{ normal_upper_tail(
                            '(at_point.iroas_mean - component.iroas_mean)'
                            ~ ' / component.iroas_sd'
                        ) }}
                when component.iroas_mean <= at_point.iroas_mean then 1.0
                else 0.0
            end
        ) as cumulative

    from normalised as at_point
    inner join normalised as component
        on at_point.influencer_id = component.influencer_id
    where component.weight > 1e-12
    group by at_point.influencer_id, at_point.iroas_mean

),

quantiles as (

    select
        influencer_id,
        coalesce(
            min(
                case
                    when
                        cumulative
                        >= (1 - {{ num_var('plan_credible_level') }}) / 2
                        then iroas
                end
            ),
            max(iroas)
        ) as posterior_iroas_low,
        coalesce(
            min(
                case
                    when
                        cumulative
                        >= (1 + {{ num_var('plan_credible_level') }}) / 2
                        then iroas
                end
            ),
            max(iroas)
        ) as posterior_iroas_high

    from cdf
    group by influencer_id

),

moments as (

    select
        influencer_id,
        max(spend) as spend,
        max(measured_cells) as measured_cells,
        max(modelled_cells_with_spend) as modelled_cells_with_spend,
        max(case when has_pool then 1 else 0 end) as has_pool,
        sum(weight * iroas_mean) as posterior_iroas,
        sum(weight * (iroas_sd * iroas_sd + iroas_mean * iroas_mean))
            as posterior_second_moment,
        sum(weight * p_above_breakeven) as p_profitable

    from normalised
    group by influencer_id

),

final as (

    select
        moments.influencer_id,
        moments.spend,
        case
            when
                moments.measured_cells > 0
                and moments.modelled_cells_with_spend = 0
                then 'measured'
            when moments.measured_cells > 0 then 'mixed'
            when moments.has_pool = 1 then 'pooled'
            else 'assumed'
        end as posterior_method,
        -- rounded: sums over the grid in any order vary in their last bits
        round(moments.posterior_iroas, 9) as posterior_iroas,
        round(
            sqrt(
                greatest(
                    moments.posterior_second_moment
                    - moments.posterior_iroas * moments.posterior_iroas,
                    0
                )
            ),
            9
        ) as posterior_iroas_sd,
        round(
            least(quantiles.posterior_iroas_low, moments.posterior_iroas), 9
        ) as posterior_iroas_low,
        round(
            greatest(quantiles.posterior_iroas_high, moments.posterior_iroas), 9
        ) as posterior_iroas_high,
        round(least(greatest(moments.p_profitable, 0.0), 1.0), 9)
            as p_profitable

    from moments
    inner join quantiles
        on moments.influencer_id = quantiles.influencer_id

)

select * from final
order by influencer_id

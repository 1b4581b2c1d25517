{#- One row per point of the share grid: the prior weights the posterior uses.

    pooled: learnt from the programme's measured influencers (empirical Bayes):
      a point mass null_mass at "no effect" (s = 0) plus a normal slab on the
      log rate ratio ln(1 + lift). Each candidate (null_mass, slab_mean,
      slab_sd) of a search grid (macros/plan.sql) is scored by its marginal
      likelihood, and the prior is their mixture weighted by it. NULL when fewer
      than plan_min_pool influencers are measured: too few to learn a
      distribution from.
    flat: uniform over the grid, for measured influencers when there is no pool.
    assumed: uniform over the assumed lift band
      [lift_range_low, lift_range_high] (the point nearest assumed_lift when
      the band holds no grid point), for influencers without a measurement when
      there is no pool. -#}
with

likelihood as (

    select * from {{ ref('int_influencer_share_likelihood') }}

),

grid as (

    {{ share_grid() }}

),

slab_means as (

    {{ prior_slab_means() }}

),

slab_sds as (

    {{ prior_slab_sds() }}

),

null_masses as (

    {{ prior_null_masses() }}

),

measured as (

    select
        influencer_id,
        grid_index,
        log_likelihood
        - max(log_likelihood)
            over (partition by influencer_id)
            as relative_log_likelihood

    from likelihood
    where measured_cells > 0

),

pool as (

    select count(distinct influencer_id) as pool_size from measured

),

scaled as (

    select
        influencer_id,
        grid_index,
        exp(relative_log_likelihood) as relative_likelihood

    from measured
    -- below e^-40 a point adds nothing a double can hold beside the maximum's 1
    where relative_log_likelihood > -40

),

null_point as (

    select
        measured.influencer_id,
        case
            when measured.relative_log_likelihood > -40
                then exp(measured.relative_log_likelihood)
            else 0.0
        end as null_likelihood

    from measured
    inner join grid
        on measured.grid_index = grid.grid_index
    where grid.share = 0

),

slabs as (

    select
        means.slab_mean,
        sds.slab_sd,
        grid.grid_index,
        exp(
            -0.5 * ((grid.log_rate_ratio - means.slab_mean) / sds.slab_sd)
            * ((grid.log_rate_ratio - means.slab_mean) / sds.slab_sd)
        ) * grid.jacobian as density

    from slab_means as means
    cross join slab_sds as sds
    cross join grid

),

slab_weights as (

    select
        slab_mean,
        slab_sd,
        grid_index,
        density / sum(density) over (partition by slab_mean, slab_sd) as weight

    from slabs

),

{# per influencer and candidate slab: the slab's marginal likelihood #}
slab_marginals as (

    select
        scaled.influencer_id,
        slab_weights.slab_mean,
        slab_weights.slab_sd,
        sum(scaled.relative_likelihood * slab_weights.weight) as slab_likelihood

    from scaled
    inner join slab_weights
        on scaled.grid_index = slab_weights.grid_index
    where slab_weights.weight > 1e-12
    group by scaled.influencer_id, slab_weights.slab_mean, slab_weights.slab_sd

),

slab_list as (

    select distinct
        slab_mean,
        slab_sd

    from slab_weights

),

{# every influencer under every candidate: an influencer whose likelihood misses
    a slab entirely still counts, with only the point mass to explain it #}
pairs as (

    select
        null_point.influencer_id,
        null_point.null_likelihood,
        slab_list.slab_mean,
        slab_list.slab_sd,
        coalesce(marginals.slab_likelihood, 0) as slab_likelihood

    from null_point
    cross join slab_list
    left join slab_marginals as marginals
        on null_point.influencer_id = marginals.influencer_id
        and slab_list.slab_mean = marginals.slab_mean
        and slab_list.slab_sd = marginals.slab_sd

),

candidates as (

    select
        masses.null_mass,
        pairs.slab_mean,
        pairs.slab_sd,
        sum(ln(greatest(
            masses.null_mass * pairs.null_likelihood
            + (1 - masses.null_mass) * pairs.slab_likelihood,
            1e-300
        ))) as log_marginal_likelihood

    from pairs
    cross join null_masses as masses
    group by masses.null_mass, pairs.slab_mean, pairs.slab_sd

),

{# hyperparameter uncertainty: rather than the single best candidate, every
    candidate weighted by its marginal likelihood (a flat hyperprior over the
    search grid). With small arms the likelihood surface is flat and the best
    candidate alone is a noisy pick that makes p_profitable overconfident
    (docs/plan.md). #}
hyper_weights as (

    select
        null_mass,
        slab_mean,
        slab_sd,
        exp(log_marginal_likelihood - max(log_marginal_likelihood) over ())
            as unnormalised_weight

    from candidates

),

hyper_normalised as (

    select
        null_mass,
        slab_mean,
        slab_sd,
        unnormalised_weight / sum(unnormalised_weight) over () as weight

    from hyper_weights

),

hyper_summary as (

    select
        sum(weight * null_mass) as null_mass,
        sum(weight * slab_mean) as slab_mean,
        sum(weight * slab_sd) as slab_sd

    from hyper_normalised

),

slab_mixture as (

    select
        slab_weights.grid_index,
        sum(slab_totals.weight * slab_weights.weight) as weight

    from (
        select
            slab_mean,
            slab_sd,
            sum(weight * (1 - null_mass)) as weight
        from hyper_normalised
        group by slab_mean, slab_sd
    ) as slab_totals
    inner join slab_weights
        on slab_totals.slab_mean = slab_weights.slab_mean
        and slab_totals.slab_sd = slab_weights.slab_sd
    group by slab_weights.grid_index

),

assumed_band as (

    select count(*) as band_points
    from grid
    where
        grid.lift
        between {{ num_var('lift_range_low') }}
        and {{ num_var('lift_range_high') }}

),

nearest_assumed as (

    select min(grid_index) as grid_index
    from (
        select
            grid_index,
            rank()
                over (order by abs(lift - {{ num_var('assumed_lift') }}))
                as distance_rank
        from grid
    ) as ranked
    where distance_rank = 1

),

final as (

    select
        grid.grid_index,
        grid.share,
        grid.lift,
        case
            -- rounded: the marginal likelihoods are parallel float sums (last
            -- bits vary)
            when pool.pool_size >= {{ num_var('plan_min_pool') }} then round(
                (
                    case
                        when grid.share = 0 then hyper_summary.null_mass else 0
                    end
                )
                + coalesce(slab_mixture.weight, 0), 12
            )
        end as pooled_weight,
        1.0 / count(*) over () as flat_weight,
        case
            when assumed_band.band_points > 0
                then
                    case
                        when
                            grid.lift
                            between {{ num_var('lift_range_low') }}
                            and {{ num_var('lift_range_high') }}
                            then 1.0 / assumed_band.band_points
                        else 0.0
                    end
            when grid.grid_index = nearest_assumed.grid_index then 1.0
            else 0.0
        end as assumed_weight,
        pool.pool_size,
        case
            when pool.pool_size >= {{ num_var('plan_min_pool') }}
                then round(hyper_summary.null_mass, 9)
        end as prior_null_mass,
        case
            when pool.pool_size >= {{ num_var('plan_min_pool') }}
                then round(hyper_summary.slab_mean, 9)
        end as prior_slab_mean,
        case
            when pool.pool_size >= {{ num_var('plan_min_pool') }}
                then round(hyper_summary.slab_sd, 9)
        end as prior_slab_sd

    from grid
    cross join pool
    cross join assumed_band
    cross join nearest_assumed
    left join hyper_summary
        on 1 = 1
    left join slab_mixture
        on grid.grid_index = slab_mixture.grid_index
)

select * from final
order by grid_index

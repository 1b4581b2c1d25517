{#- One row per influencer with spend and point of the share grid
    (macros/plan.sql): how likely the influencer's measured cells are if its
    true incremental share is that point, and the incremental revenue it then
    earned (mean and variance). docs/plan.md derives it; in short, per measured
    cell:

    * revenue in effective purchases x = R / phi, phi = the cell's sum of x^2
      over its sum of x, shrunk to its campaign's with eb_moment_prior_buyers
      buyers (compound Poisson: x is then over-dispersed no more than a Poisson
      count);
    * the control arm's rate per user mu is Gamma(alpha, alpha / mu0) around its
      campaign's mu0 (alpha fitted by moments over every sized control arm), so
      given the exposed arm's lift the exposed count is negative binomial:
        log L(lift) = r ln(rho / (rho + 1 + lift))
                      + x1 ln((1 + lift) / (rho + 1 + lift))
      with r = alpha + x0 and rho = (alpha / mu0 + N0) / N1. Without arm sizes,
      or without a campaign rate, it is the binomial split of the cell's
      purchases between the arms: r = x0, rho = 1 / k.
    * the incremental revenue given the lift:
      phi (r + x1) lift / (rho + 1 + lift), with the Gamma posterior's relative
      variance 1 / (r + x1).

    A modelled cell (no control arm) of an influencer adds no likelihood; it
    adds share x its exposed revenue to the increment. -#}
with

cells as (

    select * from {{ ref('int_incrementality_cells') }}

),

grid as (

    {{ share_grid() }}

),

measured as (

    select * from cells
    where method = 'measured'

),

campaign_moments as (

    select
        campaign,
        {{ safe_divide(
            'sum(exposed_revenue_sq + control_revenue_sq)',
            'sum(exposed_revenue + control_revenue)'
        ) }} as campaign_phi,
        {{ safe_divide(
            'sum(exposed_revenue + control_revenue)',
            'sum(exposed_buyers + control_buyers)'
        ) }} as campaign_revenue_per_buyer

    from measured
    group by campaign

),

counted as (

    select
        measured.*,
        case
            when coalesce(moments.campaign_revenue_per_buyer, 0) > 0
                then (
                    measured.exposed_revenue_sq + measured.control_revenue_sq
                    + {{ num_var('eb_moment_prior_buyers') }}
                    * moments.campaign_revenue_per_buyer
                    * moments.campaign_phi
                )
                / (
                    measured.exposed_revenue + measured.control_revenue
                    + {{ num_var('eb_moment_prior_buyers') }}
                    * moments.campaign_revenue_per_buyer
                )
        end as phi

    from measured
    left join campaign_moments as moments
        on measured.campaign = moments.campaign

),

effective as (

    select
        *,
        coalesce({{ safe_divide('exposed_revenue', 'phi') }}, 0) as x1,
        coalesce({{ safe_divide('control_revenue', 'phi') }}, 0) as x0,
        coalesce(variance_method = 'arm_sizes', false) as is_sized

    from counted

),

campaign_rates as (

    select
        campaign,
        {{ safe_divide('sum(x0)', 'sum(n_control)') }} as campaign_control_rate

    from effective
    where is_sized
    group by campaign

),

with_rates as (

    select
        effective.*,
        rates.campaign_control_rate,
        case
            when effective.is_sized and rates.campaign_control_rate > 0
                then effective.n_control * rates.campaign_control_rate
        end as expected_control

    from effective
    left join campaign_rates as rates
        on effective.campaign = rates.campaign

),

{# 1 / alpha = sum((x0 - E)^2 - E) / sum(E^2): the control arms' spread beyond
    Poisson, by moments; 0 (alpha infinite: every arm at its campaign's rate)
    when they spread no more than Poisson #}
dispersion as (

    select
        case
            when
                sum(
                    (x0 - expected_control) * (x0 - expected_control)
                    - expected_control
                )
                > 0
                then
                    sum(expected_control * expected_control)
                    / sum(
                        (x0 - expected_control) * (x0 - expected_control)
                        - expected_control
                    )
        end as baseline_alpha

    from with_rates
    where expected_control is not null

),

cell_parameters as (

    select
        with_rates.influencer_id,
        with_rates.phi,
        with_rates.x1,
        case
            when
                with_rates.expected_control is not null
                and dispersion.baseline_alpha is not null
                then dispersion.baseline_alpha + with_rates.x0
            when with_rates.expected_control is not null
                -- no spread beyond Poisson: the campaign's rate is known, a
                -- Poisson exposed count
                then cast(null as {{ type_double() }})
            else with_rates.x0
        end as r,
        case
            when
                with_rates.expected_control is not null
                and dispersion.baseline_alpha is not null
                then
                    (
                        dispersion.baseline_alpha
                        / with_rates.campaign_control_rate
                        + with_rates.n_control
                    )
                    / with_rates.n_exposed
            when with_rates.expected_control is not null
                then cast(null as {{ type_double() }})
            else {{ safe_divide('1', 'with_rates.k') }}
        end as rho,
        case
            when
                with_rates.expected_control is not null
                and dispersion.baseline_alpha is null
                then with_rates.n_exposed * with_rates.campaign_control_rate
        end as poisson_baseline

    from with_rates
    cross join dispersion

),

{# per measured cell and grid point; the Poisson case (poisson_baseline) is the
    limit alpha -> infinity: x1 ~ Poisson(baseline (1 + lift)) #}
measured_points as (

    select
        cell.influencer_id,
        grid.grid_index,
        case
            when cell.poisson_baseline is not null
                then
                    cell.x1 * ln(1 + grid.lift)
                    - cell.poisson_baseline * grid.lift
            when cell.rho > 0
                then
                    cell.r * ln(cell.rho / (cell.rho + 1 + grid.lift))
                    + cell.x1 * ln((1 + grid.lift) / (cell.rho + 1 + grid.lift))
            else 0
        end as log_likelihood,
        case
            when cell.poisson_baseline is not null
                then cell.phi * cell.x1 * grid.share
            when cell.rho > 0
                then
                    cell.phi
                    * (cell.r + cell.x1)
                    * grid.lift
                    / (cell.rho + 1 + grid.lift)
            else cell.phi * cell.x1 * grid.share
        end as incremental_revenue,
        case
            when
                cell.poisson_baseline is not null
                or not (cell.rho > 0)
                or cell.r + cell.x1 <= 0
                then 0.0
            else 1 / (cell.r + cell.x1)
        end as relative_variance

    from cell_parameters as cell
    cross join grid

),

modelled_points as (

    select
        cells.influencer_id,
        grid.grid_index,
        grid.share * cells.exposed_revenue as incremental_revenue,
        grid.share
        * grid.share
        * cells.exposed_revenue_sq as incremental_revenue_variance

    from cells
    cross join grid
    where cells.method = 'modelled' and cells.spend > 0

),

points as (

    select
        influencer_id,
        grid_index,
        log_likelihood,
        incremental_revenue,
        coalesce(
            incremental_revenue * incremental_revenue * relative_variance, 0
        ) as incremental_revenue_variance,
        1 as is_measured

    from measured_points

    union all

    select
        influencer_id,
        grid_index,
        0 as log_likelihood,
        incremental_revenue,
        incremental_revenue_variance,
        0 as is_measured

    from modelled_points

),

influencers as (

    select
        influencer_id,
        sum(spend) as spend,
        {{ count_where("method = 'measured'") }} as measured_cells,
        {{ count_where("method = 'modelled' and spend > 0") }}
            as modelled_cells_with_spend

    from cells
    group by influencer_id
    having sum(spend) > 0

),

final as (

    select
        points.influencer_id,
        points.grid_index,
        influencers.spend,
        influencers.measured_cells,
        influencers.modelled_cells_with_spend,
        -- rounded: these sums run in parallel over millions of rows in any
        -- order, and a float sum's last bits depend on it; the plan must be the
        -- same every build
        round(sum(points.log_likelihood), 9) as log_likelihood,
        round(sum(points.incremental_revenue), 6) as incremental_revenue,
        round(sum(points.incremental_revenue_variance), 3)
            as incremental_revenue_variance

    from points
    inner join influencers
        on points.influencer_id = influencers.influencer_id
    group by
        points.influencer_id,
        points.grid_index,
        influencers.spend,
        influencers.measured_cells,
        influencers.modelled_cells_with_spend

)

select * from final
order by influencer_id, grid_index

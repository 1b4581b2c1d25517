with

influencers as (

    select * from {{ ref('dim_influencers') }}

),

cells as (

    select * from {{ ref('int_incrementality_cells') }}

),

posts as (

    select * from {{ ref('fct_posts') }}

),

cell_totals as (

    select
        influencer_id,
        {{ sum_cell_inputs() }}

    from cells
    group by influencer_id

),

post_totals as (

    select
        influencer_id,
        count(*) as posts,
        cast(sum(reach) as {{ dbt.type_bigint() }}) as reach,
        cast(sum(likes) as {{ dbt.type_bigint() }}) as likes,
        cast(sum(comments) as {{ dbt.type_bigint() }}) as comments,
        cast(sum(follower_count) as {{ dbt.type_bigint() }})
            as follower_impressions

    from posts
    group by influencer_id

),

joined as (

    select
        influencers.influencer_id,
        influencers.name,
        influencers.platform,
        influencers.category,
        influencers.gender,
        influencers.influencer_type,
        influencers.follower_count,
        coalesce(post_totals.posts, 0) as posts,
        coalesce(post_totals.reach, 0) as reach,
        coalesce(post_totals.likes, 0) as likes,
        coalesce(post_totals.comments, 0) as comments,
        coalesce(post_totals.follower_impressions, 0) as follower_impressions,
        {{ coalesce_cell_inputs('cell_totals') }}

    from influencers
    left join cell_totals
        on influencers.influencer_id = cell_totals.influencer_id
    left join post_totals
        on influencers.influencer_id = post_totals.influencer_id

),

metrics as (

    select
        joined.*,
        {{ performance_metrics('joined') }},
        {{ safe_divide('likes + comments', 'reach') }}
        * 100 as engagement_rate_reach,
        {{ safe_divide('likes + comments', 'follower_impressions') }}
        * 100 as engagement_rate_followers,
        {{ safe_divide('spend', 'reach') }} * 1000 as cpm,
        {{ safe_divide('spend', 'likes + comments') }} as cpe

    from joined

),

{# Empirical-Bayes shrinkage (normal-normal, DerSimonian-Laird method of
    moments) of the influencer's incremental share y = incremental_revenue /
    attributed_revenue (the effect: lift / (1 + lift) when all is measured)
    toward the mean of the measured influencers of the same (influencer_type,
    platform) group, or of all of them when the group has fewer than 3, with v =
    (incremental_revenue_se / attributed_revenue)^2; then iroas_shrunk = shrunk
    share x ROAS. Shrinking iROAS itself would mix the effect with the payout
    deal, which varies with size and so with precision, and drag the
    precision-weighted group means toward the big spenders
    (docs/incrementality.md). Measured and mixed influencers with spend take
    part; one without attributed revenue has an increment of 0 under the share
    model. #}
eligible as (

    select
        influencer_id,
        {{ dbt.concat([
            "coalesce(influencer_type, '(none)')",
            "' | '",
            "coalesce(platform, '(none)')"
        ]) }} as shrinkage_group,
        incremental_revenue / attributed_revenue as y,
        (incremental_revenue_se / attributed_revenue)
        * (incremental_revenue_se / attributed_revenue) as v

    from metrics
    where
        iroas_method in ('measured', 'mixed')
        and spend > 0
        and attributed_revenue > 0
        and incremental_revenue_se > 0

),

eligible_grouped as (

    select
        eligible.*,
        case
            when count(*) over (partition by eligible.shrinkage_group) >= 3
                then eligible.shrinkage_group
            else '(all)'
        end as own_group

    from eligible

),

{# every eligible influencer once in its own group and once in '(all)' #}
memberships as (

    select
        influencer_id,
        shrinkage_group as group_key,
        y,
        v
    from eligible
    union all
    select
        influencer_id,
        '(all)' as group_key,
        y,
        v
    from eligible

),

fixed_effect as (

    select
        group_key,
        count(*) as n,
        sum(1 / v) as sum_w,
        sum(1 / (v * v)) as sum_w2,
        sum(y / v) as sum_wy

    from memberships
    group by group_key

),

heterogeneity as (

    select
        memberships.group_key,
        sum(
            (memberships.y - fixed_effect.sum_wy / fixed_effect.sum_w)
            * (memberships.y - fixed_effect.sum_wy / fixed_effect.sum_w)
            / memberships.v
        ) as q

    from memberships
    inner join fixed_effect
        on memberships.group_key = fixed_effect.group_key
    group by memberships.group_key

),

between_variance as (

    select
        fixed_effect.group_key,
        case
            when fixed_effect.n >= 2
                then greatest(
                    0,
                    {{ safe_divide(
                        'heterogeneity.q - (fixed_effect.n - 1)',
                        'fixed_effect.sum_w'
                        ~ ' - fixed_effect.sum_w2 / fixed_effect.sum_w'
                    ) }}
                )
        end as tau2

    from fixed_effect
    inner join heterogeneity
        on fixed_effect.group_key = heterogeneity.group_key

),

random_effect as (

    select
        memberships.group_key,
        between_variance.tau2,
        sum(memberships.y / (memberships.v + between_variance.tau2))
        / sum(1 / (memberships.v + between_variance.tau2)) as prior_mean

    from memberships
    inner join between_variance
        on memberships.group_key = between_variance.group_key
    group by memberships.group_key, between_variance.tau2

),

shrunk as (

    select
        eligible_grouped.influencer_id,
        case
            when random_effect.tau2 is null then eligible_grouped.y
            else
                random_effect.prior_mean
                + random_effect.tau2 / (random_effect.tau2 + eligible_grouped.v)
                * (eligible_grouped.y - random_effect.prior_mean)
        end as incremental_share_shrunk

    from eligible_grouped
    left join random_effect
        on eligible_grouped.own_group = random_effect.group_key

),

with_shrunk as (

    select
        metrics.*,
        case
            when
                metrics.iroas_method not in ('measured', 'mixed')
                or not metrics.spend > 0
                then null
            when not metrics.attributed_revenue > 0 then 0
            when shrunk.incremental_share_shrunk is not null
                then
                    shrunk.incremental_share_shrunk
                    * metrics.attributed_revenue
                    / metrics.spend
            else metrics.iroas
        end as iroas_shrunk

    from metrics
    left join shrunk
        on metrics.influencer_id = shrunk.influencer_id

),

ranked as (

    select
        with_shrunk.*,
        -- rank() is int on Spark, bigint on DuckDB: cast to the contract's
        -- type. Ranked on the value rounded to 1e-9, so float noise between
        -- engines cannot reorder near-ties.
        case
            when with_shrunk.iroas_shrunk is not null
                then cast(rank() over (
                    partition by
                        case
                            when with_shrunk.iroas_shrunk is null then 1 else 0
                        end
                    order by round(with_shrunk.iroas_shrunk, 9) desc
                ) as {{ dbt.type_bigint() }})
        end as iroas_rank

    from with_shrunk

),

final as (

    select
        influencer_id,
        name,
        platform,
        category,
        gender,
        influencer_type,
        attributed_revenue,
        attributed_orders,
        spend,
        roas,
        incremental_revenue,
        iroas,
        iroas_ci_low,
        iroas_ci_high,
        iroas_method,
        iroas_verdict,
        is_poor_roi,
        follower_count,
        posts,
        reach,
        likes,
        comments,
        engagement_rate_reach,
        engagement_rate_followers,
        control_revenue,
        roi,
        cpa,
        aov,
        incremental_revenue_se,
        measured_cells,
        modelled_cells,
        control_orders,
        cpm,
        cpe,
        incremental_revenue_ci_low,
        incremental_revenue_ci_high,
        incremental_orders,
        incremental_orders_se,
        p_value,
        power_status,
        mde_iroas,
        assumed_iroas_low,
        assumed_iroas_high,
        iroas_shrunk,
        iroas_rank

    from ranked

)

select * from final
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by influencer_id

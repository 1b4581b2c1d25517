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
        cast(sum(follower_count) as {{ dbt.type_bigint() }}) as follower_impressions

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
        {{ safe_divide('likes + comments', 'reach') }} * 100 as engagement_rate_reach,
        {{ safe_divide('likes + comments', 'follower_impressions') }} * 100 as engagement_rate_followers,
        {{ safe_divide('spend', 'reach') }} * 1000 as cpm,
        {{ safe_divide('spend', 'likes + comments') }} as cpe

    from joined

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
        incremental_revenue_ci_high

    from metrics

)

select * from final

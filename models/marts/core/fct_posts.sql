with

posts as (

    select * from {{ ref('stg_posts') }}

),

influencers as (

    select * from {{ ref('dim_influencers') }}

),

final as (

    select
        posts.post_id,
        posts.line_number,
        posts.is_post_id_derived,
        posts.influencer_id,
        posts.platform,
        posts.post_date,
        posts.url,
        coalesce(
            lower(posts.url) like 'http://%'
            or lower(posts.url) like 'https://%',
            false
        ) as is_linkable_url,
        posts.caption,
        posts.campaign,
        posts.reach,
        posts.likes,
        posts.comments,
        posts.likes + posts.comments as engagements,
        influencers.follower_count,
        coalesce(
            posts.likes > posts.reach or posts.comments > posts.reach, false
        ) as is_engagement_above_reach,
        {{ safe_divide('posts.likes + posts.comments', 'posts.reach') }}
        * 100 as engagement_rate_reach,
        {{ safe_divide(
            'posts.likes + posts.comments', 'influencers.follower_count'
        ) }}
        * 100 as engagement_rate_followers

    from posts
    left join influencers
        on posts.influencer_id = influencers.influencer_id

)

select * from final
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by line_number

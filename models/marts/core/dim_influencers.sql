with

influencers as (

    select * from {{ ref('stg_influencers') }}

),

tiers as (

    select * from {{ ref('influencer_tiers') }}

),

derived_tiers as (

    -- tier from follower_count: min_followers <= follower_count < max_followers
    -- (open-ended top tier)
    select
        influencers.influencer_id,
        tiers.influencer_type as derived_influencer_type,
        tiers.tier_rank

    from influencers
    inner join tiers
        on influencers.follower_count >= tiers.min_followers
        and (
            tiers.max_followers is null
            or influencers.follower_count < tiers.max_followers
        )

),

final as (

    select
        influencers.influencer_id,
        influencers.name,
        influencers.platform,
        influencers.category,
        influencers.gender,
        influencers.follower_count,
        coalesce(
            influencers.influencer_type, derived_tiers.derived_influencer_type
        ) as influencer_type,
        derived_tiers.derived_influencer_type,
        coalesce(influencers.influencer_type is null, false)
            as is_influencer_type_derived,
        influencers.line_number,
        influencers.extra_json

    from influencers
    left join derived_tiers
        on influencers.influencer_id = derived_tiers.influencer_id

)

select * from final
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by influencer_id

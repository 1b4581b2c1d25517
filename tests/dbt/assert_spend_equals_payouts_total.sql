-- Spend always adds up to the payouts file: every mart grain must carry the
-- whole payouts total (payouts without a campaign are spread by attributed
-- orders or kept under '(unallocated)'). Returns one row per mismatching mart.
{{ config(tags=['reconciliation']) }}

with

payouts as (

    select coalesce(sum(total_payout), 0) as total from {{ ref('stg_payouts') }}

),

mart_totals as (

    select 'mart_incrementality_cells' as mart, coalesce(sum(spend), 0) as total
    from {{ ref('mart_incrementality_cells') }}
    union all
    select 'mart_influencer_performance', coalesce(sum(spend), 0)
    from {{ ref('mart_influencer_performance') }}
    union all
    select 'mart_campaign_performance', coalesce(sum(spend), 0)
    from {{ ref('mart_campaign_performance') }}
    union all
    select 'mart_persona_performance', coalesce(sum(spend), 0)
    from {{ ref('mart_persona_performance') }}
    union all
    select 'mart_brand_performance', coalesce(sum(spend), 0)
    from {{ ref('mart_brand_performance') }}
    union all
    select 'mart_programme_summary', coalesce(sum(spend), 0)
    from {{ ref('mart_programme_summary') }}
    union all
    select 'mart_payout_tracking', coalesce(sum(total_payout), 0)
    from {{ ref('mart_payout_tracking') }}
    union all
    select 'fct_payouts', coalesce(sum(total_payout), 0)
    from {{ ref('fct_payouts') }}

),

final as (

    select
        mart_totals.mart,
        mart_totals.total as mart_total,
        payouts.total as payouts_total

    from mart_totals
    cross join payouts
    -- relative tolerance for floating-point summation order
    where abs(mart_totals.total - payouts.total) > 1e-6 * greatest(1, abs(payouts.total))

)

select * from final

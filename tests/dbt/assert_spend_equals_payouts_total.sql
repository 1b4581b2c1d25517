-- Spend always adds up to the payouts file: every mart grain must carry the
-- whole payouts total (payouts without a campaign are spread by attributed
-- orders or kept under '(unallocated)'). Returns one row per mismatching mart.
{{ config(tags=['reconciliation']) }}

{%- set marts = [
    ('mart_incrementality_cells', 'spend'),
    ('mart_influencer_performance', 'spend'),
    ('mart_campaign_performance', 'spend'),
    ('mart_persona_performance', 'spend'),
    ('mart_brand_performance', 'spend'),
    ('mart_programme_summary', 'spend'),
    ('mart_payout_tracking', 'total_payout'),
    ('fct_payouts', 'total_payout')
] -%}

with

payouts as (

    select coalesce(sum(total_payout), 0) as total from {{ ref('stg_payouts') }}

),

mart_totals as (

    {%- for mart, column in marts %}
    select
        '{{ mart }}' as mart,
        coalesce(sum({{ column }}), 0) as total
    from {{ ref(mart) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        mart_totals.mart,
        mart_totals.total as mart_total,
        payouts.total as payouts_total

    from mart_totals
    cross join payouts
    -- relative tolerance for floating-point summation order
    where
        abs(mart_totals.total - payouts.total)
        > 1e-6 * greatest(1, abs(payouts.total))

)

select * from final

{#- Incremental revenue and its variance per cell (campaign, influencer_id).

    measured: a control arm exists. With audiences (var has_audiences) that is
      the cell's group 0 row in audiences; without audiences every cell is
      measured when the tracking file has a group column (var tracking_has_group).
      k = N1 / N0 from audiences, else (1 - h) / h; incremental = R1 - k * R0.
      Variance with both arm sizes (N >= 2): N1^2 (s1^2 / N1 + s0^2 / N0), s^2
      the sample variance of per-user revenue x over all N users of the arm
      (non-buyers count as 0); otherwise compound Poisson: sum_1 x^2 + k^2 sum_0 x^2.
    modelled: incremental = R1 - R1 / (1 + L), no variance. -#}
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

arm_statistics as (

    select
        *,
        case
            when not is_measured then null
            when n_exposed is not null and n_control > 0
                then {{ safe_divide('n_exposed', 'n_control') }}
            else {{ safe_divide('1 - ' ~ num_var('holdout_share'), num_var('holdout_share')) }}
        end as k,
        case
            when is_measured and n_exposed >= 2 and n_control >= 2
                then {{ safe_divide(
                    'greatest(exposed_revenue_sq - exposed_revenue * exposed_revenue / n_exposed, 0)',
                    'n_exposed - 1') }}
        end as exposed_user_variance,
        case
            when is_measured and n_exposed >= 2 and n_control >= 2
                then {{ safe_divide(
                    'greatest(control_revenue_sq - control_revenue * control_revenue / n_control, 0)',
                    'n_control - 1') }}
        end as control_user_variance

    from classified

),

final as (

    select
        campaign,
        influencer_id,
        case when is_measured then 'measured' else 'modelled' end as method,
        n_exposed,
        n_control,
        k,
        exposed_revenue,
        control_revenue,
        exposed_orders,
        control_orders,
        exposed_buyers,
        control_buyers,
        exposed_revenue_sq,
        control_revenue_sq,
        spend,
        case
            when is_measured then exposed_revenue - k * control_revenue
            else exposed_revenue - {{ safe_divide('exposed_revenue', '1 + ' ~ num_var('assumed_lift')) }}
        end as incremental_revenue,
        case
            when not is_measured then null
            when exposed_user_variance is not null
                then n_exposed * n_exposed * (
                    {{ safe_divide('exposed_user_variance', 'n_exposed') }}
                    + {{ safe_divide('control_user_variance', 'n_control') }}
                )
            else exposed_revenue_sq + k * k * control_revenue_sq
        end as incremental_revenue_variance,
        case
            when not is_measured then null
            when exposed_user_variance is not null then 'arm_sizes'
            else 'compound_poisson'
        end as variance_method

    from arm_statistics

)

select * from final

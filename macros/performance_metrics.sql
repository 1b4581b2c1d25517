{#- Shared per-unit metric logic. Every roll-up (cell, influencer, campaign,
    persona, programme) first sums its cells with `sum_cell_inputs()` and then
    renders the ratios with `performance_metrics()`, so the definitions live
    in one place (see models/docs.md). -#}

{#- the z value of a two-sided 95% normal interval -#}
{% macro ci_z() -%}1.96{%- endmacro %}


{#- sums over rows of int_incrementality_cells (alias `prefix`), giving the
    inputs that performance_metrics() expects -#}
{% macro sum_cell_inputs(prefix='') -%}
    {%- set p = prefix ~ '.' if prefix else '' -%}
    sum({{ p }}exposed_revenue) as attributed_revenue,
    cast(sum({{ p }}exposed_orders) as {{ dbt.type_bigint() }}) as attributed_orders,
    sum({{ p }}control_revenue) as control_revenue,
    cast(sum({{ p }}control_orders) as {{ dbt.type_bigint() }}) as control_orders,
    sum({{ p }}spend) as spend,
    sum({{ p }}incremental_revenue) as incremental_revenue,
    sum(case when {{ p }}method = 'measured' then {{ p }}incremental_revenue_variance else 0 end)
        as incremental_revenue_variance,
    sum({{ p }}incremental_orders) as incremental_orders,
    sum(case when {{ p }}method = 'measured' then {{ p }}incremental_orders_variance else 0 end)
        as incremental_orders_variance,
    sum(case when {{ p }}method = 'measured' then {{ p }}incremental_revenue
        else {{ p }}assumed_increment_low end) as assumed_incremental_revenue_low,
    sum(case when {{ p }}method = 'measured' then {{ p }}incremental_revenue
        else {{ p }}assumed_increment_high end) as assumed_incremental_revenue_high,
    cast(sum(case when {{ p }}method = 'measured' then 1 else 0 end) as {{ dbt.type_bigint() }}) as measured_cells,
    cast(sum({{ assumed_cell_sql(p) }}) as {{ dbt.type_bigint() }}) as modelled_cells
{%- endmacro %}


{#- 1 for a cell whose increment rests on the assumed lift: no control arm and
    some revenue or orders. A spend-only cell (no control arm, no order in either
    arm, e.g. '(unallocated)') has increment 0 whatever the lift: it assumes
    nothing, so it does not make a measured unit 'mixed'. -#}
{% macro assumed_cell_sql(p='') -%}
    case when {{ p }}method = 'modelled' and not coalesce({{ p }}is_spend_only, false) then 1 else 0 end
{%- endmacro %}


{#- the inputs of performance_metrics() for a single cell of int_incrementality_cells -#}
{% macro cell_inputs(prefix='') -%}
    {%- set p = prefix ~ '.' if prefix else '' -%}
    {{ p }}exposed_revenue as attributed_revenue,
    {{ p }}exposed_orders as attributed_orders,
    case when {{ p }}method = 'measured' then {{ p }}incremental_revenue
        else {{ p }}assumed_increment_low end as assumed_incremental_revenue_low,
    case when {{ p }}method = 'measured' then {{ p }}incremental_revenue
        else {{ p }}assumed_increment_high end as assumed_incremental_revenue_high,
    case when {{ p }}method = 'measured' then 1 else 0 end as measured_cells,
    {{ assumed_cell_sql(p) }} as modelled_cells
{%- endmacro %}


{#- the same inputs for a unit without cells: zeros -#}
{% macro coalesce_cell_inputs(prefix) -%}
    {%- set p = prefix ~ '.' if prefix else '' -%}
    coalesce({{ p }}attributed_revenue, 0) as attributed_revenue,
    coalesce({{ p }}attributed_orders, 0) as attributed_orders,
    coalesce({{ p }}control_revenue, 0) as control_revenue,
    coalesce({{ p }}control_orders, 0) as control_orders,
    coalesce({{ p }}spend, 0) as spend,
    coalesce({{ p }}incremental_revenue, 0) as incremental_revenue,
    coalesce({{ p }}incremental_revenue_variance, 0) as incremental_revenue_variance,
    coalesce({{ p }}incremental_orders, 0) as incremental_orders,
    coalesce({{ p }}incremental_orders_variance, 0) as incremental_orders_variance,
    coalesce({{ p }}assumed_incremental_revenue_low, 0) as assumed_incremental_revenue_low,
    coalesce({{ p }}assumed_incremental_revenue_high, 0) as assumed_incremental_revenue_high,
    coalesce({{ p }}measured_cells, 0) as measured_cells,
    coalesce({{ p }}modelled_cells, 0) as modelled_cells
{%- endmacro %}


{#- 'measured' when all the unit's cells are measured, 'modelled' when none
    is (or the unit has no cells), 'mixed' otherwise -#}
{% macro iroas_method_sql(p='') -%}
    case
        when {{ p }}measured_cells > 0 and {{ p }}modelled_cells = 0 then 'measured'
        when {{ p }}measured_cells > 0 then 'mixed'
        else 'modelled'
    end
{%- endmacro %}

{#- standard error of incremental revenue: sqrt of the summed variances of the
    measured cells (modelled cells add none); NULL for modelled units -#}
{% macro incremental_revenue_se_sql(p='') -%}
    case when {{ p }}measured_cells > 0 then sqrt({{ p }}incremental_revenue_variance) end
{%- endmacro %}

{% macro incremental_orders_se_sql(p='') -%}
    case when {{ p }}measured_cells > 0 then sqrt({{ p }}incremental_orders_variance) end
{%- endmacro %}

{#- two-sided p-value of incremental revenue = 0, from z = incremental_revenue / se
    (the z of the interval: p < 0.05 exactly when the 95% interval excludes 0) -#}
{% macro p_value_sql(p='') -%}
    {{ normal_two_sided_p(safe_divide(p ~ 'incremental_revenue', incremental_revenue_se_sql(p))) }}
{%- endmacro %}

{#- minimum detectable iROAS: the smallest true iROAS difference a two-sided 5%
    test detects with 80% power at this standard error (NULL when the standard
    error is 0: nothing was measured, e.g. a cell without arm sizes or orders) -#}
{% macro mde_iroas_sql(p='') -%}
    {{ safe_divide(mde_multiplier() ~ ' * nullif(' ~ incremental_revenue_se_sql(p) ~ ', 0)', p ~ 'spend') }}
{%- endmacro %}

{% macro incremental_revenue_ci_sql(p='', side='low') -%}
    ({{ p }}incremental_revenue {{ '-' if side == 'low' else '+' }} {{ ci_z() }} * {{ incremental_revenue_se_sql(p) }})
{%- endmacro %}

{% macro iroas_ci_sql(p='', side='low') -%}
    {{ safe_divide(incremental_revenue_ci_sql(p, side), p ~ 'spend') }}
{%- endmacro %}

{% macro roas_sql(p='') -%}
    {{ safe_divide(p ~ 'attributed_revenue', p ~ 'spend') }}
{%- endmacro %}


{#- renders the ratio, interval and verdict columns from the summed inputs
    (columns attributed_revenue, attributed_orders, spend, incremental_revenue,
    incremental_revenue_variance, incremental_orders, incremental_orders_variance,
    assumed_incremental_revenue_low/high, measured_cells, modelled_cells of `prefix`) -#}
{% macro performance_metrics(prefix='') -%}
    {%- set p = prefix ~ '.' if prefix else '' -%}
    {%- set breakeven = num_var('breakeven') -%}
    {{ roas_sql(p) }} as roas,
    {{ safe_divide(p ~ 'attributed_revenue - ' ~ p ~ 'spend', p ~ 'spend') }} as roi,
    {{ safe_divide(p ~ 'spend', p ~ 'attributed_orders') }} as cpa,
    {{ safe_divide(p ~ 'attributed_revenue', p ~ 'attributed_orders') }} as aov,
    {{ incremental_revenue_se_sql(p) }} as incremental_revenue_se,
    {{ incremental_revenue_ci_sql(p, 'low') }} as incremental_revenue_ci_low,
    {{ incremental_revenue_ci_sql(p, 'high') }} as incremental_revenue_ci_high,
    {{ safe_divide(p ~ 'incremental_revenue', p ~ 'spend') }} as iroas,
    {{ iroas_ci_sql(p, 'low') }} as iroas_ci_low,
    {{ iroas_ci_sql(p, 'high') }} as iroas_ci_high,
    {{ iroas_method_sql(p) }} as iroas_method,
    case
        when {{ iroas_method_sql(p) }} = 'modelled' then 'assumed'
        when {{ iroas_ci_sql(p, 'low') }} > {{ breakeven }} then 'profitable'
        when {{ iroas_ci_sql(p, 'high') }} < {{ breakeven }} then 'unprofitable'
        else 'inconclusive'
    end as iroas_verdict,
    case when {{ roas_sql(p) }} < {{ num_var('poor_roi_below') }} then true else false end as is_poor_roi,
    {{ incremental_orders_se_sql(p) }} as incremental_orders_se,
    {{ p_value_sql(p) }} as p_value,
    {{ mde_iroas_sql(p) }} as mde_iroas,
    case
        when {{ mde_iroas_sql(p) }} is null then null
        when {{ mde_iroas_sql(p) }} <= {{ breakeven }} then 'adequate'
        else 'underpowered'
    end as power_status,
    case
        when {{ iroas_method_sql(p) }} <> 'measured'
            then {{ safe_divide(p ~ 'assumed_incremental_revenue_low', p ~ 'spend') }}
    end as assumed_iroas_low,
    case
        when {{ iroas_method_sql(p) }} <> 'measured'
            then {{ safe_divide(p ~ 'assumed_incremental_revenue_high', p ~ 'spend') }}
    end as assumed_iroas_high
{%- endmacro %}

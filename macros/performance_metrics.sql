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
    cast(sum(case when {{ p }}method = 'measured' then 1 else 0 end) as {{ dbt.type_bigint() }}) as measured_cells,
    cast(sum(case when {{ p }}method = 'modelled' then 1 else 0 end) as {{ dbt.type_bigint() }}) as modelled_cells
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
    incremental_revenue_variance, measured_cells, modelled_cells of `prefix`) -#}
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
    case when {{ roas_sql(p) }} < {{ num_var('poor_roi_below') }} then true else false end as is_poor_roi
{%- endmacro %}

{#- The statistics of the next period's plan (docs/plan.md has the method).
    Plain arithmetic, unions and window functions, so every engine runs them. -#}


{#- The grid of incremental shares s = 1 - 1 / (1 + lift) the posterior lives on:
    s = -1 (lift -50%) to 0.975 (lift 39x) in steps of 0.025, with s = 0 exactly on
    it (the point mass of "no effect"). Per point: lift = s / (1 - s), the log rate
    ratio eta = ln(1 + lift) = -ln(1 - s) the pooled prior is normal in, and the
    Jacobian d eta / d s = 1 / (1 - s) that carries a density in eta onto s. -#}
{% macro share_grid_points() -%}
    {%- set points = 80 -%}
    {%- for i in range(points) %}
    select {{ i }} as grid_index, cast({{ '%.3f' | format(-1 + 0.025 * i) }} as {{ type_double() }}) as share
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro share_grid() -%}
    select
        grid_index,
        share,
        share / (1 - share) as lift,
        -ln(1 - share) as log_rate_ratio,
        1 / (1 - share) as jacobian
    from ({{ share_grid_points() }}) as points
{%- endmacro %}


{#- P(Z > z) for a standard normal Z, from the two-sided p-value. -#}
{% macro normal_upper_tail(z) -%}
    (case
        when {{ z }} >= 0 then {{ normal_two_sided_p(z) }} / 2
        else 1 - {{ normal_two_sided_p(z) }} / 2
    end)
{%- endmacro %}


{#- A money amount rounded down to the paisa, never up: the plan's caps are hard.
    floor(x * 100) / 100 can land one ulp above x; then one paisa less. -#}
{% macro floor_cents(amount) -%}
    (case
        when floor({{ amount }} * 100) / 100 > {{ amount }} then floor({{ amount }} * 100) / 100 - 0.01
        else floor({{ amount }} * 100) / 100
    end)
{%- endmacro %}


{#- The next period's budget: var plan_budget, or the current total spend when it
    is not set (`roas run` without --budget). -#}
{% macro plan_budget(current_total_spend) -%}
    {%- set value = var('plan_budget', none) -%}
    {%- if value is none or (value | string | trim | lower) in ['', 'none', 'null'] -%}
        ({{ current_total_spend }})
    {%- else -%}
        {{ num_var('plan_budget') }}
    {%- endif -%}
{%- endmacro %}


{#- The holdout shares the test design tries, smallest first. -#}
{% macro test_holdout_shares() -%}
    {%- for share in [0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50] %}
    select cast({{ share }} as {{ type_double() }}) as holdout_share
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{#- The pooled prior's candidate parameters (grid search of the marginal
    likelihood): the point mass at s = 0, and the normal slab's mean and standard
    deviation on the log rate ratio. -#}
{% macro prior_null_masses() -%}
    {%- for i in range(39) %}
    select cast({{ '%.3f' | format(0.025 * i) }} as {{ type_double() }}) as null_mass
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro prior_slab_means() -%}
    {%- for i in range(61) %}
    select cast({{ '%.2f' | format(-1 + 0.05 * i) }} as {{ type_double() }}) as slab_mean
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro prior_slab_sds() -%}
    {%- for sd in [0.05, 0.07, 0.1, 0.14, 0.2, 0.28, 0.4, 0.56, 0.8, 1.1, 1.6] %}
    select cast({{ sd }} as {{ type_double() }}) as slab_sd
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{#- One end of a normal 90% interval: estimate -/+ 1.644854 x sqrt(variance). -#}
{% macro normal_90_bound(estimate, variance, side) -%}
    ({{ estimate }} {{ '-' if side == 'low' else '+' }} 1.644854 * sqrt({{ variance }}))
{%- endmacro %}

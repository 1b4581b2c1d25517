{#- The statistics of incrementality (docs/incrementality.md has the derivations).
    Plain ANSI arithmetic (exp, sqrt, abs, case) so that every engine runs it; the
    normal tail probability dispatches so that an adapter with a native erfc or
    normal CDF can override it. -#}


{#- Expected buyers of one arm of a cell, for its variance: the larger of the
    buyers B seen and the empirical-Bayes posterior mean of a Poisson rate with a
    Gamma prior of shape a (`eb_prior_buyers`, 1/2 as in Jeffreys' prior) and mean
    `prior_buyers`: (B + a) * prior / (prior + a).
    The posterior mean keeps an arm with 0 or 1 buyer from claiming a variance near
    0; the floor at B keeps an arm that drew more buyers than its prior expects
    (the estimate's heavy tail, k times a control buyer) from being shrunk below
    what it showed. Both tend to B as the arm grows; with a prior of 0 (no buyer
    anywhere to learn a rate from) the result is B. -#}
{% macro eb_expected_buyers(buyers, prior_buyers) -%}
    (case
        when {{ prior_buyers }} > 0
            then greatest(
                cast({{ buyers }} as {{ type_double() }}),
                ({{ buyers }} + {{ num_var('eb_prior_buyers') }}) * {{ prior_buyers }}
                    / ({{ prior_buyers }} + {{ num_var('eb_prior_buyers') }}))
        else cast({{ buyers }} as {{ type_double() }})
    end)
{%- endmacro %}


{#- A per-buyer moment (mean of x or of x^2) of a cell shrunk toward its campaign's
    with `eb_moment_prior_buyers` pseudo-buyers: (S + b * M) / (B + b). -#}
{% macro eb_per_buyer_moment(cell_sum, cell_buyers, campaign_moment) -%}
    (({{ cell_sum }} + {{ num_var('eb_moment_prior_buyers') }} * coalesce({{ campaign_moment }}, 0))
        / ({{ cell_buyers }} + {{ num_var('eb_moment_prior_buyers') }}))
{%- endmacro %}


{#- Sampling variance of an arm's total R = sum over its N users of x:
    Var(R) = N (p m2 - p^2 mu^2) = lambda m2 - lambda^2 mu^2 / N with lambda = N p
    the expected buyers, m2 and mu the per-buyer second moment and mean. Without
    the arm size (n NULL) the last term is dropped: the compound-Poisson form
    lambda m2. Never negative. -#}
{% macro arm_total_variance(expected_buyers, m2, mu, n) -%}
    (case
        when {{ n }} > 0
            then greatest(
                {{ expected_buyers }} * {{ m2 }}
                    - {{ expected_buyers }} * {{ expected_buyers }} * {{ mu }} * {{ mu }} / {{ n }},
                0)
        else greatest({{ expected_buyers }} * {{ m2 }}, 0)
    end)
{%- endmacro %}


{#- Two-sided p-value of a standard normal statistic z: erfc(|z| / sqrt 2). -#}
{% macro normal_two_sided_p(z) -%}
    {{ return(adapter.dispatch('normal_two_sided_p', 'influencer_roas')(z)) }}
{%- endmacro %}

{#- erfc by the Chebyshev fit of Numerical Recipes (erfcc, after W. H. Press et
    al., 2nd ed., section 6.2): fractional error below 1.2e-7 for every argument,
    so small p-values keep their relative accuracy. Beyond |z| = 37 the p-value is
    below 1e-299 and is returned as 0 (some engines raise on exp underflow); the
    fit's 3e-8 excess at z = 0 is capped so that p <= 1. -#}
{% macro default__normal_two_sided_p(z) -%}
    {%- set u = '(abs(' ~ z ~ ') / sqrt(2.0))' -%}
    {%- set t = '(1.0 / (1.0 + 0.5 * ' ~ u ~ '))' -%}
    (case
        when {{ z }} is null then null
        when abs({{ z }}) > 37 then 0.0
        else least(1.0, {{ t }} * exp(
            - {{ u }} * {{ u }} - 1.26551223 + {{ t }} * (1.00002368 + {{ t }} * (0.37409196
            + {{ t }} * (0.09678418 + {{ t }} * (-0.18628806 + {{ t }} * (0.27886807
            + {{ t }} * (-1.13520398 + {{ t }} * (1.48851587 + {{ t }} * (-0.82215223
            + {{ t }} * 0.17087277))))))))))
    end)
{%- endmacro %}


{#- z_{1 - alpha/2} + z_{power} for a two-sided 5% test at 80% power:
    1.959964 + 0.841621. The minimum detectable effect is this times the SE. -#}
{% macro mde_multiplier() -%}2.801585{%- endmacro %}


{#- Increment assumed for a cell without a control arm at lift L: R - R / (1 + L). -#}
{% macro assumed_increment(amount, lift_var) -%}
    ({{ amount }} - {{ safe_divide(amount, '1 + ' ~ num_var(lift_var)) }})
{%- endmacro %}

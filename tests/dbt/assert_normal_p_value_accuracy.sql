-- normal_two_sided_p(z) = erfc(|z| / sqrt 2) against reference values from
-- scipy.stats.norm.sf (2 * sf(|z|), scipy 1.17): relative error below 2e-7
-- from z = 0 to z = 37 (p = 1e-299), symmetric in z, NULL for NULL.
-- Returns the rows that miss.
{{ config(tags=['statistics']) }}

{%- set reference = [
    (0, 1.0),
    (0.5, 0.6170750774519738),
    (-1.0, 0.31731050786291415),
    (1.0, 0.31731050786291415),
    (1.644854, 0.09999992305082607),
    (1.959964, 0.049999998192884795),
    (-1.959964, 0.049999998192884795),
    (2.575829, 0.010000008778481622),
    (3.290527, 0.0009999990456203943),
    (4.0, 6.334248366623973e-05),
    (5.0, 5.733031437583866e-07),
    (6.0, 1.973175290075389e-09),
    (8.0, 1.244192114854348e-15),
    (10.0, 1.523970604832094e-23),
    (-15.0, 7.341932398625397e-51),
    (20.0, 5.507248237212311e-89),
    (30.0, 9.813427854295816e-198),
    (36.9, 4.621048962280697e-298)
] -%}

with

reference as (

    {%- for z, expected in reference %}
    select
        cast({{ z }} as {{ type_double() }}) as z,
        cast({{ expected }} as {{ type_double() }}) as expected
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

computed as (

    select
        z,
        expected,
        {{ normal_two_sided_p('z') }} as p

    from reference

),

beyond as (

    -- beyond |z| = 37 the p-value is reported as 0; NULL stays NULL
    select
        cast(40 as {{ type_double() }}) as z,
        {{ normal_two_sided_p('cast(40 as ' ~ type_double() ~ ')') }} as p,
        {{ normal_two_sided_p('cast(null as ' ~ type_double() ~ ')') }}
            as p_null

),

misses as (

    select
        z,
        expected,
        p
    from computed
    where not (abs(p - expected) <= 2e-7 * expected)
    union all
    select
        z,
        0 as expected,
        p
    from beyond
    where not (p = 0 and p_null is null)

)

select * from misses

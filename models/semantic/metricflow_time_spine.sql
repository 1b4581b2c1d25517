{{ config(materialized='table') }}

{#- The MetricFlow time spine: one row per day from the programme's first to
    its last date (orders and posts). Portable SQL: a 10^4-row number table
    from cross-joined digits (up to 10,000 days, 27 years) and the dispatching
    date macros of macros/engine.sql; the tests check it covers every day. -#}
with

digits as (

    {%- for digit in range(10) %}
    select {{ digit }} as d
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

numbers as (

    select ones.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d as n
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

bounds as (

    select
        first_date,
        last_date
    from {{ ref('mart_programme_summary') }}
    where first_date is not null

),

days as (

    select {{ add_days('bounds.first_date', 'numbers.n') }} as date_day
    from bounds
    cross join numbers
    where
        numbers.n <= {{ days_between('bounds.first_date', 'bounds.last_date') }}

),

final as (

    select
        date_day,
        {{ truncate_date('week', 'date_day') }} as date_week,
        {{ truncate_date('month', 'date_day') }} as date_month

    from days

)

select * from final

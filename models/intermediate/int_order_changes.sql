{#- What an incremental build of fct_orders must replace (docs/incremental.md).

    The order lines of int_order_lines (new) are compared with what fct_orders
    holds from the previous build (old) one day at a time: count and sum of a
    digest of every published column. The orders with a line on a day that
    differs are changed; this table holds their lines on both sides, old rows
    (change_side 'old', to delete) and new rows ('new', to insert), whatever day
    those lines are on. An appended day, an edited or deleted row, a line moved
    to another day, a product catalogue change: any difference in what fct_orders
    would publish makes its day differ.

    Empty when there is nothing to compare with: a full refresh, no previous
    fct_orders, or an engine that rebuilds in full (Spark). fct_orders is read
    through its relation, not ref(): it is built after this model, from it. -#}
{%- set columns = [
    'line_number', 'order_id', 'is_order_id_derived', 'order_date', 'campaign',
    'influencer_id', 'user_id', 'product', 'brand', 'product_category',
    'traffic_source', 'exposure_group', 'is_exposed', 'orders', 'revenue',
    'attributed_orders', 'attributed_revenue', 'control_orders', 'control_revenue'
] -%}
{%- set previous = none -%}
{%- if execute and incremental_orders_enabled() and not flags.FULL_REFRESH -%}
    {%- set previous = adapter.get_relation(this.database, this.schema, 'fct_orders') -%}
{%- endif -%}

{#- Each heavy input is read where it is used, not through a shared CTE: an engine
    may store a CTE that is read twice, which for 10M order lines costs more than
    reading them again. A NULL date falls in the bucket of the day key below. -#}
{%- set day_key = "coalesce(order_date, cast('1900-01-01' as date))" -%}

with

{% if previous is not none -%}

new_days as (

    select
        {{ day_key }} as day_key,
        count(*) as line_count,
        sum({{ row_digest(columns) }}) as digest

    from {{ ref('int_order_lines') }}
    group by {{ day_key }}

),

old_days as (

    select
        {{ day_key }} as day_key,
        count(*) as line_count,
        sum({{ row_digest(columns) }}) as digest

    from {{ previous }}
    group by {{ day_key }}

),

changed_days as (

    select coalesce(new_days.day_key, old_days.day_key) as day_key

    from new_days
    full outer join old_days
        on new_days.day_key = old_days.day_key
    where new_days.line_count is null
        or old_days.line_count is null
        or new_days.line_count <> old_days.line_count
        or new_days.digest <> old_days.digest

),

changed_orders as (

    select order_id
    from {{ ref('int_order_lines') }}
    where {{ day_key }} in (select day_key from changed_days)

    union

    select order_id
    from {{ previous }}
    where {{ day_key }} in (select day_key from changed_days)

),

final as (

    select 'old' as change_side, {{ columns | join(', ') }}
    from {{ previous }}
    where order_id in (select order_id from changed_orders)

    union all

    select 'new' as change_side, {{ columns | join(', ') }}
    from {{ ref('int_order_lines') }}
    where order_id in (select order_id from changed_orders)

)

{%- else -%}

final as (

    select 'new' as change_side, {{ columns | join(', ') }}
    from {{ ref('int_order_lines') }}
    where 1 = 0

)

{%- endif %}

select * from final

{#- The incremental build of fct_orders (docs/incremental.md), on engines where
    incremental_orders_enabled() (DuckDB). fct_orders' own pre-hooks, in order:

    1. record_order_changes(): compare the lines int_order_lines has now with the
       lines fct_orders holds from the previous build, one day at a time (count and
       sum of a digest of every published column). Every order with a line on a
       day that differs is changed; table `roas_order_changes` (the build's own
       bookkeeping, like roas_build_state: not a model, not public) holds all lines
       of the changed orders, old (change_side 'old') and new ('new'), whatever day
       they are on;
    2. delete those orders' lines from fct_orders;
    and the model appends their new lines. The comparison reads fct_orders itself
    (`this`): the self-reference belongs to the incremental model, no other model
    reads it. -#}

{% macro order_line_columns() -%}
    {{ return([
        'line_number', 'order_id', 'is_order_id_derived', 'order_date', 'campaign',
        'influencer_id', 'user_id', 'product', 'brand', 'product_category',
        'traffic_source', 'exposure_group', 'is_exposed', 'orders', 'revenue',
        'attributed_orders', 'attributed_revenue', 'control_orders', 'control_revenue'
    ]) }}
{%- endmacro %}


{% macro order_changes_relation() -%}
    {{ return(api.Relation.create(database=this.database, schema=this.schema,
                                  identifier='roas_order_changes')) }}
{%- endmacro %}


{% macro record_order_changes(lines) -%}
{%- set columns = order_line_columns() -%}
{#- A NULL date falls in the bucket of this day key. -#}
{%- set day_key = "coalesce(order_date, cast('1900-01-01' as date))" -%}
{#- Each heavy input is read where it is used, not through a shared CTE: an engine
    may store a CTE that is read twice, which for 10M order lines costs more than
    reading them again. #}
create or replace table {{ order_changes_relation() }} as

with

new_days as (

    {{ day_digests(lines, columns, day_key) }}

),

old_days as (

    {{ day_digests(this, columns, day_key) }}

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
    from {{ lines }}
    where {{ day_key }} in (select day_key from changed_days)

    union

    select order_id
    from {{ this }}
    where {{ day_key }} in (select day_key from changed_days)

),

final as (

    select 'old' as change_side, {{ columns | join(', ') }}
    from {{ this }}
    where order_id in (select order_id from changed_orders)

    union all

    select 'new' as change_side, {{ columns | join(', ') }}
    from {{ lines }}
    where order_id in (select order_id from changed_orders)

)

select * from final
{%- endmacro %}


{#- Per day of `relation`: its number of order lines and the sum of a digest of each
    line's published columns (equal sums: the same lines, whatever their order). -#}
{% macro day_digests(relation, columns, day_key) -%}
    select
        {{ day_key }} as day_key,
        count(*) as line_count,
        sum({{ row_digest(columns) }}) as digest

    from {{ relation }}
    group by {{ day_key }}
{%- endmacro %}


{% macro delete_changed_orders() -%}
delete from {{ this }}
where order_id in (select order_id from {{ order_changes_relation() }})
{%- endmacro %}

{#- Generic data tests (dbt_utils is not available offline). -#}

{#- A model's checks, all in one dbt node (one instead of one per key, column and rule):
    - `unique_keys`: lists of columns, each a key no two rows share (the model's
      primary key among them). A one-column key ignores NULLs, as dbt's `unique` does;
      a key of several columns compares them whole, NULLs included;
    - `not_null`: columns that are never null;
    - `rules`: a name -> a boolean SQL expression that holds on every row (a NULL
      result passes, as in dbt's accepted_values).
    The row checks are one pass over the model, each key one grouping. A failing row
    names the broken check (`unique (<key>)`, `<column> is not null`, or the rule's
    name) and how many rows (for a key: how many key values) break it. -#}
{% test rows_satisfy(model, unique_keys=[], not_null=[], rules={}) %}

    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append((column ~ " is not null", column ~ " is not null")) -%}
    {%- endfor -%}
    {%- for rule, expression in rules.items() -%}
        {%- do checks.append((rule, expression)) -%}
    {%- endfor %}

with

{% for key in unique_keys -%}
repeated_key_{{ loop.index }} as (

    select count(*) as failing_rows
    from (
        select {{ key | join(', ') }}
        from {{ model }}
        {% if key | length == 1 -%}
        where {{ key[0] }} is not null
        {% endif -%}
        group by {{ key | join(', ') }}
        having count(*) > 1
    ) as repeated

),

{% endfor -%}
{% if checks -%}
broken as (

    select
        {% for check in checks -%}
        count(*) filter (where not ({{ check[1] }})) as check_{{ loop.index }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}

),

{% endif -%}
failures as (

    {% for key in unique_keys -%}
    select 'unique ({{ key | join(", ") }})' as failed_check, failing_rows
    from repeated_key_{{ loop.index }}
    where failing_rows > 0
    {% if not loop.last or checks %}union all{% endif %}
    {% endfor %}
    {% for check in checks -%}
    select '{{ check[0] }}' as failed_check, check_{{ loop.index }} as failing_rows
    from broken
    where check_{{ loop.index }} > 0
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from failures

{% endtest %}


{#- the model has exactly `expected` rows -#}
{% test row_count_equals(model, expected) %}

    select count(*) as actual_rows
    from {{ model }}
    having count(*) <> {{ expected }}

{% endtest %}


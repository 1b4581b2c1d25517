{#- Generic data tests (dbt_utils is not available offline). -#}

{#- primary key over several columns: no two rows share the combination -#}
{% test unique_combination(model, combination_of_columns) %}

    {%- set columns = combination_of_columns | join(', ') -%}

    select
        {{ columns }},
        count(*) as duplicate_rows

    from {{ model }}
    group by {{ columns }}
    having count(*) > 1

{% endtest %}


{#- every row of the load audit balances: rows_read = rows_loaded + rows_rejected -#}
{% test rows_read_equals_loaded_plus_rejected(model, rows_read='rows_read', rows_loaded='rows_loaded', rows_rejected='rows_rejected') %}

    select *
    from {{ model }}
    where coalesce({{ rows_read }}, 0)
        <> coalesce({{ rows_loaded }}, 0) + coalesce({{ rows_rejected }}, 0)

{% endtest %}


{#- A model's row checks, all in one pass over it (one dbt node instead of one per
    column and rule): every column in `not_null` is never null, and every rule in
    `rules` (a name -> a boolean SQL expression) holds on every row (a NULL result
    passes, as in dbt's accepted_values). A failing row names the check, `<column> is
    not null` or the rule's name, and how many rows break it. -#}
{% test rows_satisfy(model, not_null=[], rules={}) %}

    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append((column ~ " is not null", column ~ " is not null")) -%}
    {%- endfor -%}
    {%- for rule, expression in rules.items() -%}
        {%- do checks.append((rule, expression)) -%}
    {%- endfor %}

with

broken as (

    select
        {% for check in checks -%}
        count(*) filter (where not ({{ check[1] }})) as check_{{ loop.index }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}

),

failures as (

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


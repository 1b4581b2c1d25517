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


{#- A model's row rules, checked in one pass over it (one dbt node instead of one per
    rule): `rules` maps a rule's name to a boolean SQL expression that must hold on
    every row (a NULL result passes). A failing row names the rule and how many rows
    break it. -#}
{% test rows_satisfy(model, rules) %}

with

broken as (

    select
        {% for rule, expression in rules.items() -%}
        count(*) filter (where not ({{ expression }})) as rule_{{ loop.index }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}

),

failures as (

    {% for rule in rules -%}
    select '{{ rule }}' as rule_name, rule_{{ loop.index }} as failing_rows
    from broken
    where rule_{{ loop.index }} > 0
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


{#- Every listed column of a model is not null, checked in one pass over the model (one
    dbt node instead of one per column). A failing row names the column and how many of
    its values are null. -#}
{% test not_null_columns(model, columns) %}

with

null_counts as (

    select
        {% for column in columns -%}
        count(*) filter (where {{ column }} is null) as {{ column }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}

),

failures as (

    {% for column in columns -%}
    select '{{ column }}' as column_name, {{ column }} as null_rows
    from null_counts
    where {{ column }} > 0
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from failures

{% endtest %}

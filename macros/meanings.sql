{#- The project's declared meaning, as rows (models/marts/meta/column_meanings.sql).

    Every public model (access: public) and each of its columns, in YAML order, with
    the column's `meta` (title, format, and its role: a filter dimension, an additive
    measure, a ratio with its numerator and denominator, a value of a whole unit ...)
    as JSON. A model may also declare metrics that are no column of its own, such as a
    ratio of two of its measures (model meta `metrics`: name -> meaning); they get a
    row without a position or data type. The report engine and the Parquet export
    read this table, so a report needs nothing but the warehouse. -#}

{% macro public_models() -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.package_name == project_name
            and node.access == 'public' -%}
            {%- do found.append(node) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found | sort(attribute='name')) }}
{%- endmacro %}


{% macro text_literal(text) -%}
    {{ return(adapter.dispatch('text_literal', 'influencer_roas')(text)) }}
{%- endmacro %}

{% macro default__text_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{#- Spark reads a backslash in a literal as an escape -#}
{% macro spark__text_literal(text) -%}
    '{{ text | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}


{% macro column_meaning_rows() -%}
    {%- set rows = [] -%}
    {%- for node in public_models() -%}
        {%- for column in node.columns.values() -%}
            {%- do rows.append({
                'model_name': node.name,
                'model_meta': tojson(node.config.meta or {}, sort_keys=true),
                'model_description': node.description or '',
                'column_name': column.name,
                'column_position': loop.index,
                'data_type': column.data_type or '',
                'column_description': column.description or '',
                'meaning': tojson(column.meta or {}, sort_keys=true)
            }) -%}
        {%- endfor -%}
        {%- set metrics = (node.config.meta or {}).get('metrics') or {} -%}
        {%- for name in metrics | sort -%}
            {%- do rows.append({
                'model_name': node.name,
                'model_meta': tojson(node.config.meta or {}, sort_keys=true),
                'model_description': node.description or '',
                'column_name': name,
                'column_position': none,
                'data_type': '',
                'column_description': metrics[name].get('description', ''),
                'meaning': tojson(metrics[name], sort_keys=true)
            }) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}

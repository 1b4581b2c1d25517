{#- Typed access to the project vars. `roas run` passes them with --vars, where
    a value may arrive as YAML (true / 0.1) or as a string ('true' / '0.1'). -#}

{% macro bool_var(name) -%}
    {%- set value = var(name) -%}
    {%- if value is string -%}
        {%- set result = value | trim | lower in ['true', '1', 'yes', 'y', 'on'] -%}
    {%- else -%}
        {%- set result = true if value else false -%}
    {%- endif -%}
    {{ return(result) }}
{%- endmacro %}

{#- renders the var as a SQL boolean literal -#}
{% macro bool_var_sql(name) -%}
    {{ 'true' if bool_var(name) else 'false' }}
{%- endmacro %}

{#- renders the var as a SQL double literal; fails the run on a non-number -#}
{% macro num_var(name) -%}
    {%- set value = var(name) -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.fullmatch('[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?', text) -%}
        {{ exceptions.raise_compiler_error("var '" ~ name ~ "' must be a number, got: " ~ text) }}
    {%- endif -%}
    cast({{ text }} as {{ type_double() }})
{%- endmacro %}

{#- Cross-database helpers. Every macro dispatches so that an adapter-specific
    version (duckdb__, spark__, ...) can be added without touching the models. -#}

{#- ratio that is NULL (never an error or infinity) when the denominator is 0 -#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide', 'influencer_roas')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0))
{%- endmacro %}


{#- cast that yields NULL instead of failing when the value does not convert -#}
{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'influencer_roas')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, data_type) -%}
    cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro duckdb__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}


{#- 8-byte floating point (dbt.type_float() is a 4-byte FLOAT on DuckDB) -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'influencer_roas')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}


{#- the quoted name of the raw `group` column (a reserved word everywhere) -#}
{% macro quoted_group() -%}
    {{ return(adapter.quote('group')) }}
{%- endmacro %}


{#- a NULL-safe text form of a column for building stable hash keys -#}
{% macro hash_part(expression) -%}
    coalesce(cast({{ expression }} as {{ dbt.type_string() }}), '')
{%- endmacro %}

{#- stable surrogate key: hash of the '|'-joined, NULL-safe text of the expressions -#}
{% macro stable_key(expressions) -%}
    {%- set parts = [] -%}
    {%- for e in expressions -%}
        {%- if not loop.first -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append(hash_part(e)) -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

with

results as (

    select * from {{ ref('stg_validation_results') }}

),

final as (

    select
        source_file,
        expectation,
        column_name,
        rule,
        success,
        element_count,
        unexpected_count

    from results

)

select * from final

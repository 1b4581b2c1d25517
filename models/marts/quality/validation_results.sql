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
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by source_file, expectation, column_name, rule

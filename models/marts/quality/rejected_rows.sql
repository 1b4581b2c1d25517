with

rejected as (

    select * from {{ ref('stg_rejected_rows') }}

),

final as (

    select
        source_file,
        line_number,
        column_name,
        reason,
        original_values

    from rejected

)

select * from final
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by source_file, line_number

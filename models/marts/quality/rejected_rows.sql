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

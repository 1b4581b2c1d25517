with

load_audit as (

    select * from {{ ref('stg_load_audit') }}

),

validation_results as (

    select * from {{ ref('stg_validation_results') }}

),

expectation_totals as (

    select
        source_file,
        count(*) as expectations_evaluated,
        cast(
            sum(case when success then 0 else 1 end) as {{ dbt.type_bigint() }}
        ) as expectations_failed

    from validation_results
    group by source_file

),

final as (

    select
        load_audit.source_file,
        load_audit.file_present,
        load_audit.rows_read,
        load_audit.rows_loaded,
        load_audit.rows_rejected,
        load_audit.rows_flagged,
        load_audit.columns_present,
        load_audit.validated_at,
        {{ safe_divide('load_audit.rows_rejected', 'load_audit.rows_read') }}
            as rejected_share,
        coalesce(expectation_totals.expectations_evaluated, 0)
            as expectations_evaluated,
        coalesce(expectation_totals.expectations_failed, 0)
            as expectations_failed

    from load_audit
    left join expectation_totals
        on load_audit.source_file = expectation_totals.source_file

)

select * from final
-- stored in key order, so `select *`, exports and the report are stable run to
-- run
order by source_file

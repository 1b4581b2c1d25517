-- Every column of a public model declares at least its title and format
-- (docs/meaning.md): the report shows nothing it cannot name and format. Rows
-- returned lack one.
select
    model_name,
    column_name,
    meaning

from {{ ref('column_meanings') }}
where
    meaning not like '%"title":%'
    or meaning not like '%"format":%'

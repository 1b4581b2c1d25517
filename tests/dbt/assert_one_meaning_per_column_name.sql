-- A column name means one thing across the project: every public model that has
-- a column of that name declares the same meaning (title, format, role) for it.
-- Rows returned are the names declared in more than one way.
select
    column_name,
    count(distinct meaning) as meanings

from {{ ref('column_meanings') }}
group by column_name
having count(distinct meaning) > 1

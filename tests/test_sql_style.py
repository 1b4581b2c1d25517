"""The SQL style that `make lint` enforces (.sqlfluff): the rules it is meant to carry
are live, and the deliberate differences from jaffle-shop hold.

`make lint` runs SQLFluff with the dbt templater over the whole project; here the same
configuration lints small snippets with the Jinja templater, which needs no dbt
compile, so each rule is checked on SQL that breaks exactly it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlfluff.core as sqlfluff_core

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def linter() -> sqlfluff_core.Linter:
    config = sqlfluff_core.FluffConfig.from_path(str(ROOT), overrides={"templater": "jinja"})
    return sqlfluff_core.Linter(config=config)


def rule_codes(linter: sqlfluff_core.Linter, sql: str) -> set[str]:
    return {violation.rule_code() for violation in linter.lint_string(sql).violations}


CLEAN = """with

orders as (

    select
        customer_id,
        sum(amount) as total_amount

    from raw_orders
    group by customer_id

)

select * from orders
"""


def test_the_project_configuration_uses_the_dbt_templater_and_duckdb() -> None:
    config = sqlfluff_core.FluffConfig.from_path(str(ROOT))
    assert config.get("templater") == "dbt"
    assert config.get("dialect") == "duckdb"
    assert config.get("max_line_length") == 80


def test_jaffle_shop_style_sql_passes(linter: sqlfluff_core.Linter) -> None:
    assert rule_codes(linter, CLEAN) == set()


@pytest.mark.parametrize(
    ("broken", "rule"),
    [
        # keywords, functions and identifiers are lower case
        (CLEAN.replace("select\n", "SELECT\n"), "CP01"),
        (CLEAN.replace("sum(amount)", "SUM(amount)"), "CP03"),
        # commas trail
        (CLEAN.replace("customer_id,\n        sum", "customer_id\n        , sum"), "LT04"),
        # every expression has an explicit alias
        (CLEAN.replace("sum(amount) as total_amount", "sum(amount)"), "AL03"),
        # one select target per line
        (CLEAN.replace("select\n        customer_id,", "select customer_id,"), "LT09"),
        # lines of at most 80 characters
        (CLEAN.replace("total_amount", "total_amount_" + "x" * 60), "LT05"),
        # group by names, never positions (this project's choice over jaffle-shop's)
        (CLEAN.replace("group by customer_id", "group by 1"), "AM06"),
        # no subquery in a join: a CTE instead
        (
            CLEAN.replace(
                "from raw_orders",
                "from raw_orders\n    cross join (select 1 as one) as ones",
            ),
            "ST05",
        ),
    ],
)
def test_each_rule_catches_what_breaks_it(
    linter: sqlfluff_core.Linter, broken: str, rule: str
) -> None:
    assert rule in rule_codes(linter, broken)


def test_column_order_is_left_to_the_contract(linter: sqlfluff_core.Linter) -> None:
    # ST06 would move the calculation after the plain column: marts keep their order
    reordered = CLEAN.replace(
        "customer_id,\n        sum(amount) as total_amount",
        "sum(amount) as total_amount,\n        customer_id",
    )
    assert rule_codes(linter, reordered) == set()


def test_contract_column_names_may_be_keywords(linter: sqlfluff_core.Linter) -> None:
    # `name`, `date`, `users`... are the data contract's column names
    assert rule_codes(linter, CLEAN.replace("total_amount", "name")) == set()
    assert "RF04" in rule_codes(linter, CLEAN.replace("total_amount", "user"))

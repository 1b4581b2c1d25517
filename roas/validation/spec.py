"""Structure of the raw files (data-contract.md): names, columns, kinds, output types.

Only the *shape* lives here (what the reader and the writer need). The rules on
values live in suites.py, as Great Expectations suites.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

Kind = Literal["int", "decimal", "date", "text", "enum"]

ARROW_TYPES: dict[str, pa.DataType] = {
    "int": pa.int64(),
    "decimal": pa.float64(),
    "date": pa.date32(),
    "text": pa.string(),
    "enum": pa.string(),
}


@dataclass(frozen=True)
class Col:
    name: str
    kind: Kind
    optional: bool = False  # the column may be absent from the file entirely
    # enum columns: canonical spellings; input is matched case-insensitively
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSpec:
    name: str  # 'tracking_data'; the file is <name>.csv or <name>.parquet
    columns: tuple[Col, ...]
    required: bool = True
    # unique when present: later repeats are rejected, the first occurrence is kept
    unique_key: str | None = None

    @property
    def csv_name(self) -> str:
        return f"{self.name}.csv"

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if not c.optional]

    def output_schema(self) -> pa.Schema:
        fields = [pa.field("line_number", pa.int64())]
        fields += [pa.field(c.name, ARROW_TYPES[c.kind]) for c in self.columns]
        fields.append(pa.field("extra_json", pa.string()))
        return pa.schema(fields)


GENDERS = ("Male", "Female", "Other")
INFLUENCER_TYPES = ("nano", "micro", "mid", "macro", "mega")
BASES = ("post", "order")
STATUSES = ("pending", "approved", "paid")

INFLUENCERS = FileSpec(
    "influencers",
    (
        Col("id", "int"),
        Col("name", "text"),
        Col("platform", "text"),
        Col("category", "text"),
        Col("gender", "enum", values=GENDERS),
        Col("follower_count", "int"),
        Col("influencer_type", "enum", optional=True, values=INFLUENCER_TYPES),
    ),
    unique_key="id",
)
POSTS = FileSpec(
    "posts",
    (
        Col("post_id", "text", optional=True),
        Col("influencer_id", "int"),
        Col("platform", "text"),
        Col("date", "date"),
        Col("url", "text"),
        Col("caption", "text", optional=True),
        Col("reach", "int"),
        Col("likes", "int"),
        Col("comments", "int"),
        Col("campaign", "text", optional=True),
    ),
    unique_key="post_id",
)
TRACKING = FileSpec(
    "tracking_data",
    (
        Col("order_id", "text", optional=True),
        Col("source", "text"),
        Col("campaign", "text"),
        Col("influencer_id", "int"),
        Col("user_id", "text"),
        Col("product", "text"),
        Col("brand", "text", optional=True),
        Col("date", "date"),
        Col("orders", "int"),
        Col("revenue", "decimal"),
        Col("group", "int", optional=True),
    ),
    unique_key="order_id",
)
PAYOUTS = FileSpec(
    "payouts",
    (
        Col("influencer_id", "int"),
        Col("basis", "enum", values=BASES),
        Col("rate", "decimal"),
        Col("orders", "int"),
        Col("total_payout", "decimal"),
        Col("campaign", "text", optional=True),
        Col("status", "enum", optional=True, values=STATUSES),
    ),
)
AUDIENCES = FileSpec(
    "audiences",
    (
        Col("campaign", "text"),
        Col("influencer_id", "int"),
        Col("group", "int"),
        Col("users", "int"),
    ),
    required=False,
)

# GX suite parameter: the ids of the influencers.csv rows that passed validation.
VALID_IDS = "valid_influencer_ids"

# Validation order matters: influencers first, its valid ids are the foreign-key set.
FILES: tuple[FileSpec, ...] = (INFLUENCERS, POSTS, TRACKING, PAYOUTS, AUDIENCES)

REJECTED_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("line_number", pa.int64()),
        ("column_name", pa.string()),
        ("reason", pa.string()),
        ("original_values", pa.string()),
    ]
)
LOAD_AUDIT_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("file_present", pa.bool_()),
        ("rows_read", pa.int64()),
        ("rows_loaded", pa.int64()),
        ("rows_rejected", pa.int64()),
        ("rows_flagged", pa.int64()),
        ("columns_present", pa.string()),
        ("validated_at", pa.string()),
    ]
)
RESULTS_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("expectation", pa.string()),
        ("column_name", pa.string()),
        ("rule", pa.string()),
        ("success", pa.bool_()),
        ("element_count", pa.int64()),
        ("unexpected_count", pa.int64()),
    ]
)


# Helper columns added next to the trimmed raw ones before validation; the
# suites state rules on them (pipeline.py computes them, suites.py names them).
def h_int(col: str) -> str:
    return f"{col}__int"  # Int64, NULL when not an integer


def h_num(col: str) -> str:
    return f"{col}__num"  # float64, NaN when not a decimal


def h_iso(col: str) -> str:
    return f"{col}__iso"  # bool: the text has ISO date/timestamp form


def h_date(col: str) -> str:
    return f"{col}__date"  # datetime64[ns], NaT when not a real calendar date


def h_norm(col: str) -> str:
    return f"{col}__norm"  # canonical enum spelling, or the value as given


def h_first(col: str) -> str:
    return f"{col}__first_line"  # Int64: line of an earlier row with the same key

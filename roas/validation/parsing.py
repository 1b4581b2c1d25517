"""Vectorised parsing of raw strings into the helper columns the rules look at.

Every function takes and returns pyarrow arrays: no per-row Python. The regexes
are shared with suites.py (the format rules) and run both in Arrow (RE2) and in
pandas, so they stay within the syntax both understand.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# '12', '+12', '-3', '12.0', '007'. At most 18 significant digits so the value
# always fits an int64: an integer the regex accepts never fails to parse.
INT_RE = r"^[+-]?0*[0-9]{1,18}(?:\.0*)?$"
# '1234.50', '-3', '.5', '1e3'. Bounded digits and exponent keep the value finite,
# so 'inf' cannot sneak in as '1e999'; 'NaN' and 'inf' do not match at all.
DEC_RE = r"^[+-]?(?:[0-9]{1,30}(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,2})?$"
# ISO date, or ISO timestamp whose date part is used ('2024-03-01T10:00:00+05:30').
DATE_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$"
)

_NULL_STR = pa.scalar(None, pa.string())


def as_string(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous string array (Parquet inputs may hand us chunked or other types)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.string():
        arr = pc.cast(arr, pa.string())
    return arr


def trimmed(raw: pa.Array) -> pa.Array:
    """Trim surrounding whitespace; an empty or whitespace-only field is missing (NULL)."""
    t = pc.utf8_trim_whitespace(raw)
    empty = pc.equal(t, "")
    # if_else copies every string: only pay it when there is an empty value to null out
    return pc.if_else(empty, _NULL_STR, t) if pc.any(empty).as_py() else t


def matches(values: pa.Array, regex: str) -> pa.Array:
    """Boolean mask, False (not NULL) where the value is NULL."""
    return pc.fill_null(pc.match_substring_regex(values, regex), False)


def parse_int(values: pa.Array) -> pa.Array:
    """int64, NULL where the text is not an integer by INT_RE."""
    ok = matches(values, INT_RE)
    cleaned = pc.if_else(ok, values, _NULL_STR)
    # Arrow's cast takes neither '+12' nor '12.0': strip those (only when present, it is cheap)
    if pc.any(pc.match_substring(cleaned, "+")).as_py():
        cleaned = pc.replace_substring_regex(cleaned, r"^\+", "")
    if pc.any(pc.match_substring(cleaned, ".")).as_py():
        cleaned = pc.replace_substring_regex(cleaned, r"\.0*$", "")
    return pc.cast(cleaned, pa.int64())


def parse_decimal(values: pa.Array) -> pa.Array:
    """float64, NULL where the text is not a plain decimal by DEC_RE."""
    ok = matches(values, DEC_RE)
    return pc.cast(pc.if_else(ok, values, _NULL_STR), pa.float64())


def parse_date(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(matches DATE_RE, date as timestamp[s] or NULL when not a real calendar date).

    Dates repeat a lot, so only the distinct day strings are parsed. Arrow's
    strptime rolls 2023-02-30 over to March: a date only counts when its day of
    month is the one written.
    """
    iso = matches(values, DATE_RE)
    day = pc.if_else(iso, pc.utf8_slice_codeunits(values, 0, 10), _NULL_STR)
    distinct = pc.unique(day).drop_null()
    ts = pc.strptime(distinct, format="%Y-%m-%d", unit="s", error_is_null=True)
    written = pc.cast(pc.utf8_slice_codeunits(distinct, 8, 10), pa.int64())
    real = pc.fill_null(pc.equal(pc.day(ts), written), False)
    ts = pc.if_else(real, ts, pa.scalar(None, ts.type))
    return iso, pc.take(ts, pc.index_in(day, value_set=distinct))


def for_pandas_datetime(ts: pa.Array) -> pa.Array:
    """timestamp[ns] for the GX range check (vectorised in GX only for ns).

    Years outside 1700..2199 do not fit nanoseconds; they are far out of the
    allowed range anyway, so they are pinned to 1700-01-01 to keep failing it.
    """
    lo = pa.scalar(-8520336000, pa.timestamp("s"))  # 1700-01-01
    hi = pa.scalar(7258118400, pa.timestamp("s"))  # 2200-01-01
    outside = pc.or_(pc.less(ts, lo), pc.greater_equal(ts, hi))
    pinned = pc.if_else(pc.fill_null(outside, False), lo, ts)
    return pc.cast(pinned, pa.timestamp("ns"))


# Typed Parquet columns: the value parsing its string form would give, without the
# round trip through text. Each returns None when that equality is not certain for the
# whole batch (then the string is parsed as for CSV), so the rules see the same values.
_INT_TEXT_MAX = 10**18 - 1  # INT_RE takes at most 18 digits
_FLOAT_EXACT_INT = 2**53  # integers a float64 holds exactly


def _largest_magnitude(values: pa.Array) -> float | None:
    """max |x| over the non-null values (from min and max: abs could wrap at INT64_MIN)."""
    bounds = pc.min_max(values).as_py()
    if bounds["min"] is None:
        return None
    return max(abs(bounds["min"]), abs(bounds["max"]))


def native_int(native: pa.Array | None) -> pa.Array | None:
    """parse_int of an integer column's text, straight from the integers."""
    if native is None or not pa.types.is_integer(native.type):
        return None
    largest = _largest_magnitude(native)
    if largest is not None and largest > _INT_TEXT_MAX:
        return None
    return pc.cast(native, pa.int64())


def native_decimal(native: pa.Array | None) -> pa.Array | None:
    """parse_decimal of a float64 or integer column's text, straight from the numbers.

    Arrow writes a float64 as its shortest round-trip text, which DEC_RE accepts and
    casts back to the same float when it is finite with a 1- or 2-digit exponent.
    float32 is left to the text: its shortest text is not its float64 value.
    """
    if native is None:
        return None
    is_int, is_double = pa.types.is_integer(native.type), pa.types.is_float64(native.type)
    if not (is_int or is_double):
        return None
    largest = _largest_magnitude(native)
    if largest is None:
        return pc.cast(native, pa.float64())
    if is_int:
        return pc.cast(native, pa.float64()) if largest <= _FLOAT_EXACT_INT else None
    if not pc.all(pc.is_finite(native)).as_py():
        return None  # 'nan' and 'inf' do not match DEC_RE
    magnitude = pc.abs(native)
    smallest = pc.min(pc.filter(magnitude, pc.greater(magnitude, 0))).as_py()
    if largest >= 1e15 or (smallest is not None and smallest <= 1e-90):
        return None
    return native


def native_date(native: pa.Array | None) -> tuple[pa.Array, pa.Array] | None:
    """parse_date of a date32 column's text ('YYYY-MM-DD'), straight from the dates."""
    if native is None or not pa.types.is_date32(native.type):
        return None
    years = pc.year(native)
    low, high = pc.min(years).as_py(), pc.max(years).as_py()
    if low is not None and (low < 1000 or high > 9999):
        return None  # DATE_RE wants four-digit years
    return pc.is_valid(native), pc.cast(native, pa.timestamp("s"))


def normalise_enum(values: pa.Array, canonical: tuple[str, ...]) -> pa.Array:
    """Canonical spelling for a case-insensitive match, else the value as given."""
    idx = pc.index_in(pc.utf8_lower(values), value_set=pa.array([v.lower() for v in canonical]))
    canon = pc.take(pa.array(canonical, pa.string()), idx)
    return pc.coalesce(canon, values)


def newline_counts(columns: list[pa.Array], n: int) -> np.ndarray:
    """'\\n' inside each record's fields: a quoted multi-line value moves later records down."""
    total = np.zeros(n, dtype=np.int64)
    for col in columns:
        if pc.any(pc.match_substring(col, "\n")).as_py():
            total += pc.count_substring(col, "\n").to_numpy(zero_copy_only=False)
    return total


_JSON_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _json_string(values: pa.Array) -> pa.Array:
    """Each value as a JSON string literal (same escaping as json.dumps(ensure_ascii=False))."""
    out = pc.replace_substring(values, "\\", "\\\\")
    out = pc.replace_substring(out, '"', '\\"')
    if pc.any(pc.match_substring_regex(out, r"[\x00-\x1f]")).as_py():
        for code in range(32):
            ch = chr(code)
            out = pc.replace_substring(out, ch, _JSON_ESCAPES.get(ch, f"\\u{code:04x}"))
    return pc.binary_join_element_wise('"', out, '"', "")


def json_objects(keys: list[str], columns: list[pa.Array], n: int) -> pa.Array:
    """A JSON object of strings per row, built column-wise; all-NULL when there are no keys."""
    if not keys:
        return pa.nulls(n, pa.string())
    parts: list[pa.Array | str] = []
    for i, (key, col) in enumerate(zip(keys, columns, strict=True)):
        sep = "{" if i == 0 else ","
        parts += [sep + json.dumps(key, ensure_ascii=False) + ":", _json_string(col)]
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")

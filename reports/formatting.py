"""Number, money and date formatting for the report (pure functions, no I/O)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MISSING = "—"

# The named formats a column can declare (dbt column meta `format`) or a page can ask for.
FORMATS = ("money", "money2", "count", "ratio", "percent", "pct", "share", "p", "date",
           "datetime", "text", "bool", "verdict", "id", "url", "number")

# Formats whose values are numbers: right-aligned in tables (the browser's tables use the
# same list, reports/static/app/04-tables-kpis.js).
NUMERIC_FORMATS = ("money", "money2", "count", "ratio", "percent", "pct", "share", "p",
                   "number", "id")

# Currency symbols whose readers expect Indian digit grouping (12,34,567).
INDIAN_SYMBOLS = frozenset({"₹", "Rs", "Rs.", "INR"})

# Compact units, largest first: (divisor, suffix).
_INDIAN_UNITS = ((10_000_000, " Cr"), (100_000, " L"))
_WESTERN_UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K"))


def _number(value: object) -> float | int | Decimal | None:
    """The value as a finite number, or None for NULL, NaN, infinities and non-numbers."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    try:
        number = float(value)  # numpy scalars and numeric strings
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _group(int_digits: str, indian: bool) -> str:
    """Insert thousands separators into a string of digits."""
    if len(int_digits) <= 3:
        return int_digits
    head, tail = int_digits[:-3], int_digits[-3:]
    size = 2 if indian else 3  # Indian: 3 digits, then groups of 2
    groups = []
    while head:
        groups.insert(0, head[-size:])
        head = head[:-size]
    return ",".join([*groups, tail])


def group_digits(value: object, decimals: int = 0, *, indian: bool = False) -> str:
    """`value` rounded half-up to `decimals`, with digit grouping; '—' when missing.

    >>> group_digits(12345678.9, 2, indian=True)
    '1,23,45,678.90'
    """
    number = _number(value)
    if number is None:
        return MISSING
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(number)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""  # Decimal('-0.00') < 0 is False: no '-0'
    int_digits, _, fraction = f"{abs(rounded):f}".partition(".")
    text = _group(int_digits, indian)
    return f"{sign}{text}.{fraction}" if fraction else f"{sign}{text}"


def _round1(value: float) -> float:
    """Round half-up to one decimal, like group_digits(value, 1)."""
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _with_symbol(text: str, symbol: str) -> str:
    """Prefix the currency symbol, keeping the minus sign in front: -₹1,234."""
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    space = " " if symbol and symbol[-1].isalpha() else ""  # 'EUR 12', but '₹12'
    return f"{sign}{symbol}{space}{digits}"


@dataclass(frozen=True)
class Formatter:
    """Formatting bound to one currency symbol; its methods are the Jinja filters."""

    currency: str = "₹"

    @property
    def indian(self) -> bool:
        return self.currency.strip() in INDIAN_SYMBOLS

    def money(self, value: object, decimals: int = 0) -> str:
        """₹12,34,567 (Indian grouping for ₹), $1,234,567 otherwise."""
        text = group_digits(value, decimals, indian=self.indian)
        return text if text == MISSING else _with_symbol(text, self.currency)

    def money_compact(self, value: object, decimals: int = 1) -> str:
        """Short money for KPI tiles: ₹12.3 L, ₹1.2 Cr (or $12.3K, $4.5M)."""
        number = _number(value)
        if number is None:
            return MISSING
        units = _INDIAN_UNITS if self.indian else _WESTERN_UNITS
        magnitude = abs(float(number))
        for i, (divisor, suffix) in enumerate(units):
            smaller = units[i + 1][0] if i + 1 < len(units) else None
            # A unit applies from its size on, or when the next smaller unit would
            # round up to it: 99,99,999 reads 1.0 Cr, not 100.0 L.
            rolls_over = smaller is not None and _round1(magnitude / smaller) >= divisor / smaller
            if magnitude >= divisor or rolls_over:
                text = group_digits(float(number) / divisor, decimals, indian=self.indian)
                return _with_symbol(text, self.currency) + suffix
        return self.money(number)

    def num(self, value: object, decimals: int = 0) -> str:
        """A count or plain number, grouped like the currency's locale."""
        return group_digits(value, decimals, indian=self.indian)

    @staticmethod
    def ratio(value: object) -> str:
        """Ratios: 2 decimals, '—' for NULL."""
        return group_digits(value, 2)

    @staticmethod
    def pct(value: object, decimals: int = 2) -> str:
        """A value already expressed in percent (a rate per hundred): '3.45%'."""
        text = group_digits(value, decimals)
        return text if text == MISSING else f"{text}%"

    @staticmethod
    def date(value: object) -> str:
        """'5 Mar 2024' for dates and timestamps; other values as text."""
        if value is None:
            return MISSING
        if isinstance(value, dt.datetime | dt.date):
            return f"{value.day} {value:%b %Y}"
        return str(value)

    @staticmethod
    def percent(value: object, decimals: int = 1) -> str:
        """A fraction shown in percent (ROI 2.03 -> '203.0%')."""
        number = _number(value)
        if number is None:
            return MISSING
        return f"{group_digits(float(number) * 100, decimals)}%"

    def format(self, value: object, fmt: str) -> str:
        """`value` in one of the report's named formats (FORMATS)."""
        if value is None:
            return MISSING
        if fmt == "money":
            return self.money(value)
        if fmt == "money2":
            return self.money(value, 2)
        if fmt == "count":
            return self.num(value)
        if fmt == "ratio":
            return self.ratio(value)
        if fmt == "percent":
            return self.percent(value)
        if fmt == "pct":
            return self.pct(value)
        if fmt == "share":
            return self.percent(value, 0)
        if fmt == "p":
            number = _number(value)
            return "< 0.001" if number is not None and 0 <= number < 0.001 else group_digits(
                value, 3)
        if fmt == "number":
            return group_digits(value, 2, indian=self.indian)
        if fmt == "date":
            if isinstance(value, str):
                try:
                    return self.date(dt.date.fromisoformat(value[:10]))
                except ValueError:
                    return value
            return self.date(value)
        if fmt == "datetime":
            text = str(value)
            day = self.format(text[:10], "date")
            return f"{day} {text[11:16]} UTC" if len(text) > 10 else day
        if fmt == "bool":
            return "yes" if value else "no"
        if fmt == "id":
            return str(value)
        return str(value)

    def filters(self) -> dict[str, object]:
        """The Jinja filters this formatter provides."""
        return {
            "money": self.money,
            "money_compact": self.money_compact,
            "num": self.num,
            "ratio": self.ratio,
            "pct": self.pct,
            "date": self.date,
        }

"""Numbers and units as Chinese statistical tables and reports write them.

* Digits: full-width digits and separators (``１２３，４５６．７``) are folded to ASCII; thousands
  separators are removed only where they sit between groups of three digits.
* Magnitudes: ``万`` = 10⁴, ``亿`` = 10⁸ (and ``千``, ``百万``, ``千万``, ``万亿``) folded into the value.
* Units: the catalogue unit of an indicator (``人``, ``元/人·月``, ``%``…) is the unit of every value in a
  panel. A cell that carries its own unit (``3.2万人``) is accepted only when the unit agrees with the
  catalogue unit after magnitudes are folded; otherwise :func:`parse_quantity` says so and nothing is
  guessed.
* Rates per person per month and per year convert by a factor of 12 (:func:`convert`).

Values are parsed as :class:`decimal.Decimal` so ``2.26亿`` becomes exactly ``226000000``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from evalkit.errors import NotANumber, UnitMismatch

__all__ = [
    "FULLWIDTH_FOLD",
    "KNOWN_UNITS",
    "MAGNITUDES",
    "NOT_AVAILABLE_MARKS",
    "NotANumber",
    "Quantity",
    "UnitMismatch",
    "compatible",
    "convert",
    "normalise_text",
    "normalise_unit",
    "parse_decimal",
    "parse_quantity",
]

#: Chinese magnitude words, longest first so ``万亿`` wins over ``万``.
MAGNITUDES: dict[str, Decimal] = {
    "万亿": Decimal(10) ** 12,
    "千万": Decimal(10) ** 7,
    "百万": Decimal(10) ** 6,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
}

#: What yearbooks print for "not available / not applicable".
NOT_AVAILABLE_MARKS = frozenset({"—", "——", "…", "……", "－", "-", "--", "...", "–", "/", "NA", "N/A", "n/a", "#N/A"})

#: Full-width ASCII forms (``１２３．５％``) and the ideographic space, folded one character to one
#: character, so offsets in folded text are offsets in the original.
FULLWIDTH_FOLD: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}
_FULLWIDTH = str.maketrans(FULLWIDTH_FOLD)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
# a space (or no-break/thin space) between digit groups of three, as in "12 345"; a line break or a
# stray space elsewhere ("5\n6", "1 2") is not a separator and the cell stays unreadable
_SPACE_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u2009\u202f](?=\d{3}(?:\D|$))")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_QUANTITY = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(万亿|千万|百万|亿|万|千)?\s*(.*?)\s*$")

# Spellings of the same unit, folded to the catalogue's spelling.
_UNIT_ALIASES = {
    "元/人.月": "元/人·月", "元/人/月": "元/人·月", "元/(人·月)": "元/人·月", "元/人•月": "元/人·月",
    "元/人.年": "元/人·年", "元/人/年": "元/人·年", "元/(人·年)": "元/人·年", "元/人•年": "元/人·年",
    "‰": "‰", "%": "%", "百分比": "%",
}

#: Units a cell or a figure may carry. Anything else after a number is text, not a unit.
KNOWN_UNITS = frozenset({
    "人", "人次", "名", "位", "户", "个", "家", "所", "处", "项", "张", "床", "元", "元/人·月", "元/人·年",
    "元/人·次", "元/人", "%", "‰", "对", "具", "次", "小时", "岁", "倍", "个百分点", "类", "批", "件", "天",
})

# Units of the same dimension that a cell may carry in place of the catalogue unit (counts of people).
_SAME_DIMENSION = {
    "人": {"人", "名", "位"},
    "人次": {"人次"},
    "个": {"个", "家", "所", "处"},
    "家": {"个", "家"},
    "张": {"张"},
    "元": {"元"},
}


@dataclass(frozen=True)
class Quantity:
    """A parsed cell: exact value in base units, the unit written in the cell (if any), and notes."""

    value: Decimal | None
    unit: str | None = None
    note: str | None = None


def normalise_text(text: str) -> str:
    """Fold full-width digits/punctuation to ASCII and drop thousands separators (``,`` or a space)."""
    text = str(text).translate(_FULLWIDTH).strip()
    text = _THOUSANDS.sub("", text)
    return _SPACE_THOUSANDS.sub("", text)


def normalise_unit(unit: str | None) -> str | None:
    """The catalogue spelling of *unit* (``元/人.月`` → ``元/人·月``); ``None``/blank stays ``None``."""
    if unit is None:
        return None
    unit = normalise_text(unit).replace(" ", "")
    if not unit:
        return None
    return _UNIT_ALIASES.get(unit, unit)


def parse_decimal(text: str) -> Decimal:
    """Parse a plain number (full-width digits and thousands separators allowed) as a Decimal.

    Raises :class:`NotANumber` for anything else.
    """
    cleaned = normalise_text(text)
    if not _NUMBER.match(cleaned):
        raise NotANumber(f"{text!r} is not a plain number")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid literals
        raise NotANumber(f"{text!r} is not a plain number") from exc


def _split_magnitude_unit(rest: str) -> tuple[Decimal, str]:
    for word, factor in MAGNITUDES.items():
        if rest.startswith(word):
            return factor, rest[len(word):]
    return Decimal(1), rest


def compatible(cell_unit: str | None, expected_unit: str | None) -> bool:
    """Whether a value written with *cell_unit* may stand in a column whose unit is *expected_unit*."""
    cell_unit, expected_unit = normalise_unit(cell_unit), normalise_unit(expected_unit)
    if cell_unit is None or expected_unit is None or cell_unit == expected_unit:
        return True
    return cell_unit in _SAME_DIMENSION.get(expected_unit, set())


def parse_quantity(cell: object, *, expected_unit: str | None = None) -> Quantity:
    """Parse a table cell into a :class:`Quantity` in the base unit of *expected_unit*.

    * numbers (int/float) pass through; ``NaN`` and the yearbook marks in :data:`NOT_AVAILABLE_MARKS`
      become a missing value with a note;
    * ``"1,234"``, ``"１２３４"``, ``"3.2万"``, ``"3.2万人"`` (with expected unit 人), ``"12%"`` (expected ``%``)
      are read exactly;
    * if the cell says ``万元`` and the expected unit is ``元`` the magnitude is folded (× 10⁴);
      if the expected unit is itself ``万元`` a cell ``"3万元"`` is 3;
    * anything else raises :class:`NotANumber` or :class:`UnitMismatch`.
    """
    if cell is None:
        return Quantity(None, note="empty")
    if isinstance(cell, bool):
        raise NotANumber(f"{cell!r} is a yes/no value, not a number")
    if isinstance(cell, (int, float, Decimal)) and not isinstance(cell, bool):
        if cell != cell:  # NaN
            return Quantity(None, note="empty")
        return Quantity(Decimal(str(cell)))
    text = normalise_text(str(cell))
    if text == "" or text.lower() == "nan":
        return Quantity(None, note="empty")
    if text in NOT_AVAILABLE_MARKS:
        return Quantity(None, note=f"marked not available ({cell})")
    if _NUMBER.match(text):
        return Quantity(Decimal(text))
    match = _QUANTITY.match(text)
    if not match:
        raise NotANumber(f"{cell!r} is not a number")
    number, magnitude, unit = match.groups()
    unit = normalise_unit(unit)
    if unit is not None and unit not in KNOWN_UNITS:
        raise NotANumber(f"{cell!r} has text after the number ({unit!r}) that is not a unit")
    factor = MAGNITUDES[magnitude] if magnitude else Decimal(1)
    expected = normalise_unit(expected_unit)
    if expected is not None:
        exp_factor, exp_base = _split_magnitude_unit(expected)
        if unit is None:
            # "3.2万" in a column measured in 人: fold the magnitude into the expected unit.
            return Quantity(Decimal(number) * factor / exp_factor, unit=None)
        if unit not in {"%", "‰"} and not compatible(unit, exp_base) and not compatible(unit, expected):
            raise UnitMismatch(f"{cell!r} is in {unit}, expected {expected}")
        if unit in {"%", "‰"} and unit != expected:
            raise UnitMismatch(f"{cell!r} is in {unit}, expected {expected}")
        return Quantity(Decimal(number) * factor / exp_factor, unit=unit)
    return Quantity(Decimal(number) * factor, unit=unit or None)


_PER_PERIOD = {"元/人·月": Decimal(12), "元/人·年": Decimal(1)}


def convert(value: float | Decimal, from_unit: str, to_unit: str) -> float | Decimal:
    """Convert between units of the same dimension the catalogue uses.

    Supported: magnitudes (``万元`` ↔ ``元``, ``万人`` ↔ ``人``, ``亿元`` ↔ ``万元``), per-person rates
    (``元/人·月`` ↔ ``元/人·年``, factor 12), and ``%`` ↔ ``‰`` (factor 10).
    """
    src, dst = normalise_unit(from_unit), normalise_unit(to_unit)
    if src == dst:
        return value
    dec = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if src in _PER_PERIOD and dst in _PER_PERIOD:
        out = dec * _PER_PERIOD[src] / _PER_PERIOD[dst]
    elif {src, dst} == {"%", "‰"}:
        out = dec * 10 if src == "%" else dec / 10
    else:
        f_src, base_src = _split_magnitude_unit(src or "")
        f_dst, base_dst = _split_magnitude_unit(dst or "")
        if base_src != base_dst or not base_src:
            raise UnitMismatch(f"cannot convert {from_unit} to {to_unit}")
        out = dec * f_src / f_dst
    return out if isinstance(value, Decimal) else float(out)

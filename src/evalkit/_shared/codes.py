"""GB/T 2260 region codes: which level a code is at, and which area contains it.

A code has six digits ``PPCCXX``: province ``PP0000``, prefecture-level unit ``PPCC00`` (``CC`` ≠ ``00``),
county-level unit ``PPCCXX`` (``XX`` ≠ ``00``). Province-administered county-level units (e.g. Hainan's
``469001``, Hubei's ``429004``) sit under a ``PP90``/``PP69`` pseudo-prefecture in the code but have the
province as their parent; :func:`parent_code` follows the code, the national division table in
``data/reference`` records the true parent. ``000000`` is the nation (a project convention, not in GB/T 2260).
"""
from __future__ import annotations

import re
from typing import Literal

import pandas as pd

from evalkit.errors import ParameterError

__all__ = ["DEFAULT_AREA", "LEVELS", "NATION", "Level", "contains", "is_code", "level_of", "normalise_code",
           "normalise_codes", "parent_code", "province_of"]

NATION = "000000"
#: the area a notebook evaluates when none is given: Liaoning
DEFAULT_AREA = "210000"
Level = Literal["nation", "province", "city", "county"]
#: levels of the units a notebook compares, from the top
LEVELS: tuple[str, ...] = ("province", "city", "county")

_CODE = re.compile(r"\d{6}")


def is_code(value: object) -> bool:
    """True if *value* is six digits as text."""
    return isinstance(value, str) and _CODE.fullmatch(value) is not None


def normalise_code(value: object, *, name: str = "region", allow_any: bool = False) -> str:
    """A region code as six digits of text: ``210100``, ``'210100.0'`` (Excel) → ``'210100'``, ``0`` → ``'000000'``.

    Raises :class:`ParameterError` naming *name* for anything else (``'*'`` passes when *allow_any*).
    """
    text = str(value).strip()
    if allow_any and text == "*":
        return text
    text = text.removesuffix(".0")
    if not (text.isdigit() and 1 <= len(text) <= 6):
        raise ParameterError(f"{name} must be a 6-digit region code such as '210000', got {value!r}")
    return text.zfill(6)


def normalise_codes(values: pd.Series) -> pd.Series:
    """Codes as 6-digit text, vectorised: a CSV read without dtype turns ``'000000'`` into ``0``.

    Values that are not 1–6 digits are left as they are (for the caller to report).
    """
    text = values.astype("string").str.strip().str.removesuffix(".0")
    digits = text.str.fullmatch(r"\d{1,6}").fillna(False).astype(bool)
    return text.where(~digits, text.str.zfill(6))


def level_of(code: str) -> Level:
    """``nation``, ``province``, ``city`` (prefecture level) or ``county`` from the digits of *code*."""
    if code == NATION:
        return "nation"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def parent_code(code: str) -> str | None:
    """The code-structural parent: county → its prefecture, prefecture → province, province → nation."""
    level = level_of(code)
    if level == "nation":
        return None
    if level == "province":
        return NATION
    if level == "city":
        return code[:2] + "0000"
    return code[:4] + "00"


def province_of(code: str) -> str:
    """The province (``PP0000``) containing *code* (the nation for ``000000``)."""
    return NATION if code == NATION else code[:2] + "0000"


def contains(area: str, code: str) -> bool:
    """True if *code* lies inside *area* by its digits (the nation contains every code; an area itself too)."""
    level = level_of(area)
    if level == "nation":
        return True
    if level == "province":
        return code[:2] == area[:2]
    if level == "city":
        return code[:4] == area[:4]
    return code == area

"""Looking up what a cell names: region and indicator codes and names, and the nearest code to a wrong one."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from evalkit import units

__all__ = ["cached_region_lookup", "closest_code", "fold", "lookup", "region_code", "region_lookup"]


def fold(text: object) -> str:
    """A code or name as looked up: full-width folded, without spaces, case-insensitive.

    Yearbooks pad two-character names to the width of three (``沈　阳``).
    """
    return re.sub(r"\s+", "", units.normalise_text(str(text))).casefold()


def lookup(code_table: pd.DataFrame, name_columns: Iterable[str]) -> dict[str, str]:
    """Map codes and names (zh/en) to codes, keyed by :func:`_key`."""
    mapping = {fold(c): str(c) for c in code_table.index}
    for col in name_columns:
        for code, name in code_table[col].items():
            if isinstance(name, str) and name:
                mapping.setdefault(fold(name), str(code))
    return mapping


def region_lookup(regions: pd.DataFrame, preferred: Iterable[str] = ()) -> dict[str, str | tuple[str, ...]]:
    """Codes and names of regions, plus the short names yearbook tables use (沈阳, and 全省 for the province).

    A name that several units share (和平区 is in Tianjin and in Shenyang) maps to the tuple of their codes,
    unless one of them is in *preferred* (the project's own regions), which then wins.
    """
    preferred = set(preferred)
    found: dict[str, list[str]] = {}
    for code in regions.index:
        found.setdefault(fold(code), []).append(str(code))
    names: dict[str, list[str]] = {}
    for code, name_zh, name_en, level in zip(regions.index, regions["name_zh"], regions["name_en"], regions["level"]):
        keys = {fold(n) for n in (name_zh, name_en) if isinstance(n, str) and n}
        if level in ("province", "city") and isinstance(name_zh, str):
            keys.add(fold(name_zh.removesuffix("市").removesuffix("省")))
        if level == "province" and code in preferred:
            keys.add("全省")
        for key in keys:
            names.setdefault(key, []).append(str(code))
    mapping: dict[str, str | tuple[str, ...]] = {k: v[0] for k, v in found.items()}
    for key, codes in names.items():
        if key in mapping:
            continue
        codes = list(dict.fromkeys(codes))
        chosen = [c for c in codes if c in preferred]
        mapping[key] = codes[0] if len(codes) == 1 else chosen[0] if len(chosen) == 1 else tuple(codes)
    return mapping


_LOOKUPS: dict[tuple[int, tuple[str, ...]], tuple[pd.DataFrame, dict]] = {}


def cached_region_lookup(regions: pd.DataFrame, preferred: tuple[str, ...]) -> dict[str, str | tuple[str, ...]]:
    """:func:`region_lookup`, built once per table object (the national table has 3,000 rows and names)."""
    key = (id(regions), preferred)
    hit = _LOOKUPS.get(key)
    if hit is None or hit[0] is not regions:
        if len(_LOOKUPS) > 8:
            _LOOKUPS.clear()
        hit = _LOOKUPS[key] = (regions, region_lookup(regions, preferred))
    return hit[1]


def region_code(cell: str, mapping: Mapping[str, str | tuple[str, ...]]) -> str | tuple[str, ...] | None:
    """The region a cell names: ``210100.0`` (an Excel number) is 210100, ``0`` is 000000 (Excel drops zeros)."""
    key = fold(cell).removesuffix(".0")
    code = mapping.get(key)
    if code is None and key.isdigit() and len(key) < 6:
        code = mapping.get(key.zfill(6))
    return code


def closest_code(code: str, codes: Iterable[str]) -> str | None:
    """The code in *codes* sharing the longest leading digits with *code*, then nearest in value; or ``None``.

    A mistyped region code is usually a neighbour (219999 → a code of Liaoning): string similarity alone
    misses it.
    """
    if not (code.isdigit() and len(code) == 6):
        return None
    best, best_key = None, None
    for other in codes:
        if not (other.isdigit() and len(other) == 6) or other == "000000":
            continue
        shared = next((i for i, (a, b) in enumerate(zip(code, other)) if a != b), 6)
        key = (-shared, abs(int(other) - int(code)))
        if shared >= 2 and (best_key is None or key < best_key):
            best, best_key = other, key
    return best



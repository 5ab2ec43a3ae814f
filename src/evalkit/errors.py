"""The evalkit error tree.

Every error evalkit raises on bad input is an :class:`EvalkitError`. A message says what was expected,
where the problem is (file, row, column, value — or parameter, or YAML key and line) and how to fix it.
Library code raises; it never prints or swallows.

Input files can have many problems at once. Readers collect them as :class:`Problem` records and raise
one error that lists them all (the first :data:`MAX_LISTED`), so an analyst fixes a file in one pass.
The class raised is the specific subclass when every problem is of one kind, and the common parent
:class:`InputFileError` when kinds are mixed; ``err.problems`` always holds every record.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_LISTED",
    "ColumnError",
    "ConfigError",
    "DataShapeError",
    "DuplicateRowError",
    "EvalkitError",
    "EvalkitWarning",
    "FileFormatError",
    "InputFileError",
    "NotANumber",
    "OutOfRangeError",
    "ParameterError",
    "Problem",
    "ReferenceDataMissing",
    "UnitConflictError",
    "UnitMismatch",
    "UnknownCodeError",
    "ValueFormatError",
    "raise_problems",
]

MAX_LISTED = 20


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is, what is wrong, how to fix it.

    ``row`` is the 1-based line number as the analyst sees it in a spreadsheet or text editor
    (the header is row 1), or ``None`` when the problem concerns the whole file or a column.
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    fix: str | None = None
    kind: type[InputFileError] | None = field(default=None, compare=False, repr=False)

    def location(self) -> str:
        """``file, row N, column 'c'`` — the parts that are known."""
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = self.location()
        text = f"{text}: {self.message}" if text else self.message
        if self.value is not None:
            shown = repr(self.value)  # a cell swallowed by an unclosed quote can be the rest of the file
            text += f" (value {shown if len(shown) <= 80 else shown[:76] + '…' + shown[-1]})"
        if self.fix:
            text += f" — fix: {self.fix}"
        return text


class EvalkitError(Exception):
    """Base class of every error evalkit raises on purpose."""


class InputFileError(EvalkitError, ValueError):
    """One or more problems in an input file (a panel, a reference table, a workbook).

    Attributes
    ----------
    problems : list of Problem
        Every problem found, in file order.
    path : str or None
        The file the problems were found in.
    """

    def __init__(self, problems: Iterable[Problem] | str, *, path: str | Path | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, file=str(path) if path else None)]
        self.problems = list(problems)
        self.path = str(path) if path is not None else None
        super().__init__(self._render())

    def _render(self) -> str:
        n = len(self.problems)
        where = f" in {self.path}" if self.path else ""
        head = f"{n} problem{'s' if n != 1 else ''} found{where}:"
        lines = [f"  - {p}" for p in self.problems[:MAX_LISTED]]
        if n > MAX_LISTED:
            lines.append(f"  … and {n - MAX_LISTED} more (fix these first, then validate again)")
        return "\n".join([head, *lines])


class FileFormatError(InputFileError):
    """The file cannot be read at all: missing, wrong format, unknown encoding, empty, no such sheet."""


class ColumnError(InputFileError):
    """Required columns are missing, or columns are not recognised."""


class UnknownCodeError(InputFileError):
    """A region or indicator code is not in the reference catalogue."""


class DuplicateRowError(InputFileError):
    """The same (region, year, indicator) appears more than once."""


class ValueFormatError(InputFileError):
    """A value is not a number evalkit can read without guessing (e.g. ``约3万``)."""


class UnitConflictError(InputFileError):
    """A value carries a unit (``万人``, ``亿元``) that conflicts with the catalogue unit."""


class OutOfRangeError(InputFileError):
    """A year outside the sane range, or an infinite value."""


class NotANumber(EvalkitError, ValueError):
    """Text that is not a number evalkit reads without guessing (``约3万``, ``3万左右``).

    Raised by :func:`evalkit.units.parse_quantity` on one cell; a panel reader reports it as a
    :class:`ValueFormatError` naming the file, row and column.
    """


class UnitMismatch(EvalkitError, ValueError):
    """A value's own unit disagrees with the expected (catalogue) unit, or two units cannot be converted.

    Raised by :mod:`evalkit.units` on one value; a panel reader reports it as a :class:`UnitConflictError`.
    """


class ConfigError(EvalkitError, ValueError):
    """A configuration file (runs.yml, a scenario YAML) is invalid.

    The message names the file, the key path and the line where known.
    """

    def __init__(self, message: str, *, file: str | Path | None = None, key: str | None = None,
                 line: int | None = None, fix: str | None = None):
        self.file = str(file) if file is not None else None
        self.key = key
        self.line = line
        self.fix = fix
        where = ", ".join(x for x in [
            self.file or "",
            f"line {line}" if line is not None else "",
            f"key {key!r}" if key else "",
        ] if x)
        text = f"{where}: {message}" if where else message
        if fix:
            text += f" — fix: {fix}"
        super().__init__(text)


class ParameterError(EvalkitError, ValueError):
    """A function or notebook parameter has a wrong name, type or value."""


class DataShapeError(EvalkitError, ValueError):
    """Data that are valid row by row but cannot support the requested analysis.

    Examples: an unbalanced panel where a balanced one is required, a cohort with no comparison
    units, a series too short for the chosen model.
    """


class ReferenceDataMissing(EvalkitError, FileNotFoundError):
    """A reference dataset (``EVALKIT_REFERENCE_DATA``) is not available on this machine."""


def raise_problems(problems: list[Problem], *, path: str | Path | None = None) -> None:
    """Raise the most specific :class:`InputFileError` for *problems*; do nothing if empty."""
    if not problems:
        return
    kinds = {p.kind for p in problems}
    cls = kinds.pop() if len(kinds) == 1 and None not in kinds else InputFileError
    raise cls(problems, path=path)


class EvalkitWarning(UserWarning):
    """Base of evalkit's warnings: something the analyst should know that does not stop the run.

    Warnings go to the run's log and manifest, never onto a report page; what a reader must know is written
    as a translated note instead.
    """

"""What a document writer returns: where the file is and what is in it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evalkit import i18n
from evalkit._shared.display import ResultDisplay, Summary

__all__ = ["DocumentResult"]


@dataclass(frozen=True)
class DocumentResult(ResultDisplay):
    """A written Word document: its path, outline (``.table``), counts, and the chapters that lacked input."""

    path: Path
    kind: str
    lang: str
    table: pd.DataFrame
    n_tables: int
    n_pictures: int
    illustrative: bool
    missing: tuple[str, ...] = ()

    @property
    def n_headings(self) -> int:
        """Number of level-1 headings."""
        return int((self.table["level"] == 1).sum()) if len(self.table) else 0

    def _summary(self) -> Summary:
        lines = [i18n.t("documents.result.written", self.lang, path=str(self.path), tables=self.n_tables,
                        pictures=self.n_pictures)]
        lines += [i18n.t("documents.result.missing", self.lang, chapter=c) for c in self.missing]
        return Summary(title=i18n.t(f"documents.kind.{self.kind}", self.lang), lines=lines,
                       frames={"": self.table})

"""Every user-visible string of evalkit in Chinese and English: one keyed message catalogue.

The catalogue is the set of CSV files ``evalkit/data/messages/<domain>.csv`` with the columns ``key``, ``zh``,
``en`` (UTF-8). Keys are dotted and start with the domain, the file's stem (``targets.status.met``). A text may
hold ``{name}`` fields, filled by :func:`t`; both languages of a key must use the same fields (a test checks every
row). Modules never write ``"…" if lang == "zh" else "…"``: they call :func:`t` or :func:`labels`.

Notebook prose is not in the catalogue: markdown cells are tagged ``lang-zh`` / ``lang-en`` and the exporter
keeps the cells of the report's language.
"""
from __future__ import annotations

import csv
import string
from functools import lru_cache
from importlib import resources

from evalkit._shared.checks import LANGS, Lang, check_lang, suggest
from evalkit.errors import ParameterError

__all__ = ["Message", "catalogue", "has", "labels", "t"]

_PACKAGE = "evalkit.data"
_FOLDER = "messages"


class Message(tuple):
    """One catalogue row: ``(zh, en)`` with its key and source file."""

    key: str
    file: str

    def __new__(cls, key: str, zh: str, en: str, file: str):  # noqa: D102 - documented on the class
        self = super().__new__(cls, (zh, en))
        self.key, self.file = key, file
        return self


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Message]:
    """All messages by key, read once from ``evalkit/data/messages/*.csv``.

    Raises :class:`ParameterError` for a file whose header is not ``key,zh,en``, a key outside its file's domain,
    a key given twice, or a row whose two languages use different ``{fields}``.
    """
    out: dict[str, Message] = {}
    folder = resources.files(_PACKAGE) / _FOLDER
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".csv"):
            continue
        domain = entry.name.removesuffix(".csv")
        with entry.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != ["key", "zh", "en"]:
                raise ParameterError(f"message file {entry.name}: header must be key,zh,en, got {reader.fieldnames}")
            for row_number, row in enumerate(reader, start=2):
                key, zh, en = row["key"].strip(), row["zh"], row["en"]
                where = f"message file {entry.name}, row {row_number}, key {key!r}"
                if not key.startswith(domain + "."):
                    raise ParameterError(f"{where}: keys in {entry.name} must start with '{domain}.'")
                if key in out:
                    raise ParameterError(f"{where}: the key is already defined in {out[key].file}")
                if not zh.strip() or not en.strip():
                    raise ParameterError(f"{where}: both zh and en must be filled in")
                if _fields(zh) != _fields(en):
                    raise ParameterError(f"{where}: zh uses fields {sorted(_fields(zh))}, en {sorted(_fields(en))}")
                out[key] = Message(key, zh, en, entry.name)
    return out


def has(key: str) -> bool:
    """True if *key* is in the catalogue."""
    return key in catalogue()


def t(key: str, lang: Lang = "zh", /, **fields: object) -> str:
    """The text of *key* in *lang*, with ``{fields}`` filled in.

    Examples
    --------
    >>> t("common.yes", "en")
    'yes'
    """
    check_lang(lang)
    messages = catalogue()
    try:
        message = messages[key]
    except KeyError:
        raise ParameterError(f"no message {key!r} in the catalogue{suggest(key, messages)}; add it to "
                             f"evalkit/data/messages/{key.split('.', 1)[0]}.csv") from None
    text = message[LANGS.index(lang)]
    if not fields:
        return text
    try:
        return text.format(**fields)
    except KeyError as exc:
        raise ParameterError(f"message {key!r} needs the field {exc.args[0]!r}") from None


def labels(prefix: str, lang: Lang = "zh") -> dict[str, str]:
    """Every message under ``prefix.`` as ``{rest of key: text}`` (e.g. ``labels("targets.status", "zh")``)."""
    check_lang(lang)
    head = prefix.rstrip(".") + "."
    i = LANGS.index(lang)
    return {key[len(head):]: message[i] for key, message in catalogue().items() if key.startswith(head)}

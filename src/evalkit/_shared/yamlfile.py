"""The line-aware safe YAML loader behind ``runs.yml`` and the scenario files.

:func:`load_yaml` parses once with PyYAML's safe loader and returns plain ``dict``/``list`` subclasses
(:class:`LineMap`, :class:`LineList`) that remember the line of every key and item, so each later check can
say *file, line N, key K*. Duplicate keys in one block are an error (YAML would silently keep the last);
merge keys (``<<: *anchor``) work and may be overridden by the block's own keys. Syntax errors become
:class:`~evalkit.errors.ConfigError` with the line and a hint.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from evalkit._shared.checks import closest
from evalkit.errors import ConfigError

__all__ = ["LineList", "LineMap", "load_yaml", "read_text", "unknown_keys"]


class LineMap(dict):
    """A YAML mapping that remembers the line of each key (``line`` is the block's first line)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = 0
        self.lines: dict = {}

    def line_of(self, key: object) -> int:
        """The line of *key*, or of the block when the key is absent."""
        return self.lines.get(key, self.line)


class LineList(list):
    """A YAML sequence that remembers the line of each item."""

    line: int = 0
    lines: list

    def line_of(self, index: int) -> int:
        """The line of item *index*, or of the sequence when out of range."""
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping line numbers and rejecting duplicate keys."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> LineMap:
    explicit = sum(key_node.tag != "tag:yaml.org,2002:merge" for key_node, _ in node.value)
    loader.flatten_mapping(node)  # puts the pairs of `<<: *anchor` first; the block's own keys override them
    merged = len(node.value) - explicit
    result = LineMap()
    result.line = node.start_mark.line + 1
    own: set = set()
    for i, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if i >= merged:
            if key in own:
                raise ConfigError(f"key {key!r} appears twice in the same block (also on line {result.lines[key]}); "
                                  "YAML would keep only the last one", file=loader.name, line=line, key=str(key),
                                  fix="delete or merge one of the two entries")
            own.add(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(item, deep=True) for item in node.value)
    result.line, result.lines = node.start_mark.line + 1, [item.start_mark.line + 1 for item in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def read_text(path: str | Path, *, missing_fix: str) -> str:
    """The UTF-8 text of *path* (a BOM is dropped); :class:`ConfigError` if absent or not UTF-8."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("file not found", file=path, fix=missing_fix) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"the file is not UTF-8 text ({exc.reason})", file=path,
                          fix="save it as UTF-8 (in Excel/WPS/Notepad: 另存为 → 编码 UTF-8)") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file ({exc.strerror})", file=path, fix="check the path and permissions"
                          ) from None


def load_yaml(text: str, *, file: str | Path) -> object:
    """Parse *text* (the content of *file*) safely; mappings and lists carry their line numbers.

    Returns ``None`` for an empty document.
    """
    loader = _LineLoader(text)
    loader.name = str(file)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        started = (f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
                   if exc.context and exc.context_mark and exc.context_mark is not mark else "")
        raise ConfigError(f"not valid YAML: {exc.problem or exc.context}{started}", file=file,
                          line=mark.line + 1 if mark else None,
                          fix="check indentation (spaces, not tabs), colons after keys, matching quotes and "
                              "brackets; quote values containing ':' or '#'") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", file=file, fix="check the file's YAML syntax") from None
    finally:
        loader.dispose()


def unknown_keys(node: LineMap, allowed: Iterable[str], *, file: str | Path, prefix: str = "") -> None:
    """Raise :class:`ConfigError` for the first key of *node* not in *allowed*, with a close-match hint."""
    options = list(allowed)
    for key in node:
        if key not in options:
            close = closest(key, options)
            raise ConfigError(f"unknown key {key!r}", file=file, line=node.line_of(key), key=f"{prefix}{key}",
                              fix=(f"did you mean {close!r}?" if close else f"allowed keys here: {', '.join(options)}"))

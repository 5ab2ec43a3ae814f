"""The parameter contract of a notebook: what its ``parameters`` cell declares, and checks against it.

A notebook's first cell tagged ``parameters`` declares each parameter on one line::

    data: str = "data/sample/panel.csv"  # panel file (CSV or XLSX), relative to the project root
    lang: str = "zh"  # choices: zh, en
    n_draws: int = 1000  # Monte Carlo draws

The type comes from the annotation (``str``, ``int``, ``float``, ``bool``, ``list[str]``,
``dict[str, float]``, ``X | None``, ``Optional[X]``, ``Literal["a", "b"]``), else from the default
literal; a ``choices:`` clause in the comment restricts the values; the rest of the comment is the
description. The batch checks every parameter set against this contract before any kernel starts
(papermill itself only warns about unknown names and checks no types).
"""
from __future__ import annotations

import ast
import datetime as dt
import difflib
import html
import io
import json
import re
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evalkit._shared.checks import LANGS
from evalkit.errors import ParameterError

__all__ = ["LANG_TAG_PREFIX", "Contract", "ParamType", "Parameter", "cell_language", "contract_of", "in_language",
           "notebook_parameters", "notebook_title", "read_notebook", "report_language"]

#: markdown cells tagged ``lang-zh`` / ``lang-en`` appear only in reports of that language
LANG_TAG_PREFIX = "lang-"

_SCALARS = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict}
_ALIASES = {"Path": "str", "PathLike": "str", "List": "list", "Sequence": "list", "Dict": "dict",
            "Mapping": "dict", "Any": "any", "object": "any"}


@dataclass(frozen=True)
class ParamType:
    """A parameter type: ``kind`` ∈ {str, int, float, bool, list, dict, any}, element type, nullable."""

    kind: str = "any"
    items: ParamType | None = None
    nullable: bool = False

    def __str__(self) -> str:
        text = self.kind
        if self.items is not None:
            text += f"[{self.items}]" if self.kind == "list" else f"[str, {self.items}]"
        return f"{text} | None" if self.nullable and self.kind != "any" else text

    def problem(self, value: Any) -> str | None:
        """Why *value* is not acceptable for this parameter, or ``None``."""
        """Why *value* does not fit this type, or ``None`` when it does."""
        if value is None:
            return None if self.nullable or self.kind == "any" else f"expected {self}, got null"
        if self.kind == "any":
            return None
        ok = {
            "str": isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "list": isinstance(value, (list, tuple)),
            "dict": isinstance(value, dict),
        }[self.kind]
        if not ok:
            return f"expected {self}, got {_describe(value)}"
        if self.items is not None:
            elements = value if self.kind == "list" else list(value.values())
            for element in elements:
                why = self.items.problem(element)
                if why:
                    return f"{why} (inside the {self.kind})"
        return None

    def coerce(self, value: Any) -> Any:
        """The value as the notebook should receive it (an int given for a float becomes a float)."""
        if self.kind == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if self.kind == "list" and isinstance(value, tuple):
            return list(value)
        return value


def _describe(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return (f"a date {value.isoformat()} (YAML reads unquoted dates as dates; put the value in "
                f"quotes to pass text)")
    if isinstance(value, bool):
        return f"bool {value}"
    if isinstance(value, str):
        return f"str {value!r}"
    return f"{type(value).__name__} {value!r}"


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a notebook."""

    name: str
    type: ParamType
    default: Any
    default_source: str
    choices: tuple | None = None
    description: str = ""
    line: int = 0  #: 1-based line in the parameters cell
    literal_default: bool = True  #: False when the default is an expression, not a literal

    def problem(self, value: Any) -> str | None:
        """Why *value* is not acceptable (wrong type or not one of the choices), or ``None``."""
        why = self.type.problem(value)
        if why:
            return why
        if self.choices is not None and self.type.coerce(value) not in self.choices:
            return (f"{_describe(value)} is not one of the choices "
                    f"{', '.join(str(c) for c in self.choices)}")
        return None


@dataclass(frozen=True)
class Contract:
    """The parameters a notebook declares (its ``parameters`` cell), in declaration order.

    Attributes
    ----------
    notebook : str
        The notebook path.
    parameters : tuple of Parameter
    cell_index : int or None
        Index of the ``parameters`` cell, ``None`` when the notebook has none.
    title : str
        The notebook's title (metadata ``evalkit.title`` / ``title``, else its first markdown heading).
    inputs : tuple of str
        Data files the notebook declares it reads (metadata ``evalkit.inputs``, globs relative to
        the project root) — part of the batch's cache key.
    """

    notebook: str
    parameters: tuple[Parameter, ...]
    cell_index: int | None
    title: str = ""
    inputs: tuple[str, ...] = ()
    imports: tuple[str, ...] = field(default=(), repr=False)

    @property
    def names(self) -> list[str]:
        """The parameter names in cell order."""
        return [p.name for p in self.parameters]

    def __getitem__(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(p.name == name for p in self.parameters)

    def defaults(self) -> dict[str, Any]:
        """The literal defaults (expression defaults are left out)."""
        return {p.name: p.default for p in self.parameters if p.literal_default}

    def problems(self, values: Mapping[str, Any]) -> list[str]:
        """Every way *values* break the contract (unknown name, wrong type, value outside choices)."""
        found = []
        for name, value in values.items():
            if name not in self:
                close = difflib.get_close_matches(str(name), self.names, n=1, cutoff=0.6)
                hint = f" — did you mean {close[0]!r}?" if close else ""
                declared = ", ".join(self.names) or "none (the notebook has no parameters cell)"
                found.append(f"unknown parameter {name!r}{hint} (declared: {declared})")
                continue
            param = self[name]
            why = param.problem(value)
            if why:
                found.append(f"parameter {name!r}: {why} (the notebook declares "
                             f"`{name}: {param.type} = {param.default_source}`)")
        return found

    def coerce(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """*values* converted to the declared types (an int for a float becomes a float)."""
        return {k: self[k].type.coerce(v) for k, v in values.items()}

    @property
    def table(self) -> pd.DataFrame:
        """The parameters as a table: name, type, default, choices, help."""
        return pd.DataFrame({
            "name": [p.name for p in self.parameters],
            "type": [str(p.type) for p in self.parameters],
            "default": [p.default_source for p in self.parameters],
            "choices": [", ".join(map(str, p.choices)) if p.choices else "" for p in self.parameters],
            "description": [p.description for p in self.parameters],
        })

    def to_text(self) -> str:
        """The contract as an aligned plain-text table (what ``evalkit params`` prints)."""
        head = f"{self.notebook}" + (f" — {self.title}" if self.title else "")
        if self.cell_index is None:
            return f"{head}\n  (no cell tagged 'parameters': the notebook takes no parameters)"
        rows = [["name", "type", "default", "choices", "description"]]
        rows += [[p.name, str(p.type), p.default_source, ", ".join(map(str, p.choices or ())), p.description]
                 for p in self.parameters]
        widths = [max(_width(r[i]) for r in rows) for i in range(4)]
        lines = [head]
        for r in rows:
            cells = [r[i] + " " * (widths[i] - _width(r[i])) for i in range(4)]
            lines.append(("  " + "  ".join(cells) + "  " + r[4]).rstrip())
        return "\n".join(lines)

    def to_json(self) -> list[dict]:
        """The parameters as JSON-ready records."""
        return [{"name": p.name, "type": str(p.type), "default": p.default if p.literal_default else None,
                 "default_source": p.default_source, "choices": list(p.choices) if p.choices else None,
                 "description": p.description} for p in self.parameters]

    def _repr_html_(self) -> str:
        head = html.escape(self.notebook + (f" — {self.title}" if self.title else ""))
        return f"<p><strong>{head}</strong></p>" + self.table.to_html(index=False, escape=True)


def _width(text: str) -> int:
    # CJK characters take two terminal columns
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def read_notebook(path: str | Path) -> dict:
    """The notebook JSON (plain ``json``: nbformat's import costs more than a whole cached batch)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as fh:
            nb = json.load(fh)
    except FileNotFoundError:
        raise ParameterError(f"notebook {path} not found — check the path (relative to the project root)") from None
    except (OSError, ValueError) as exc:
        raise ParameterError(f"notebook {path} is not a readable .ipynb file ({exc}) — open and save it "
                             "in JupyterLab to repair it") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ParameterError(f"notebook {path} has no cells list — is it a Jupyter notebook (.ipynb)?")
    return nb


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_parameters(path: str | Path) -> Contract:
    """The parameter contract of the notebook at *path*.

    Raises
    ------
    ParameterError
        The notebook cannot be read, its parameters cell cannot be parsed, or a declaration is
        inconsistent (a ``choices:`` item of the wrong type, a default outside its choices).
    """
    return contract_of(read_notebook(path), notebook=str(path))


def contract_of(nb: dict, *, notebook: str) -> Contract:
    """The contract of an already-loaded notebook JSON (see :func:`notebook_parameters`)."""
    cells = nb["cells"]
    index = next((i for i, c in enumerate(cells) if c.get("cell_type") == "code"
                  and "parameters" in (c.get("metadata", {}).get("tags") or [])), None)
    parameters: tuple[Parameter, ...] = ()
    if index is not None:
        parameters = tuple(_parse_cell(_source(cells[index]), notebook=notebook))
    meta = nb.get("metadata", {}).get("evalkit", {}) or {}
    inputs = meta.get("inputs", [])
    if isinstance(inputs, str):
        inputs = [inputs]
    return Contract(notebook=notebook, parameters=parameters, cell_index=index, title=_title(nb),
                    inputs=tuple(str(i) for i in inputs), imports=tuple(_imports(cells)))


def cell_language(cell: Mapping[str, Any]) -> str | None:
    """The language a cell is tagged for (``lang-zh`` → ``"zh"``), or ``None`` for a cell of every language."""
    for tag in cell.get("metadata", {}).get("tags") or []:
        if isinstance(tag, str) and tag.startswith(LANG_TAG_PREFIX) and tag[len(LANG_TAG_PREFIX):] in LANGS:
            return tag[len(LANG_TAG_PREFIX):]
    return None


def in_language(cell: Mapping[str, Any], lang: str | None) -> bool:
    """True if *cell* belongs in a report in *lang* (untagged cells belong in every report)."""
    tagged = cell_language(cell)
    return tagged is None or lang is None or tagged == lang


def report_language(parameters: Mapping[str, Any], contract: Contract | None = None) -> str:
    """The language of a run's report: its ``lang`` parameter, else the notebook's default, else ``zh``."""
    lang = parameters.get("lang")
    if lang is None and contract is not None and "lang" in contract:
        lang = contract.defaults().get("lang")
    return lang if lang in LANGS else LANGS[0]


def notebook_title(nb: Mapping[str, Any], lang: str | None = None) -> str:
    """The notebook's title in *lang*.

    Metadata ``evalkit.title`` (text or ``{zh:, en:}``), else the first markdown heading of a cell in that
    language (see :func:`in_language`); with *lang* None, the first heading of any cell.
    """
    meta = nb.get("metadata", {})
    for candidate in ((meta.get("evalkit") or {}).get("title"), meta.get("title")):
        if isinstance(candidate, dict):
            if lang is not None and candidate.get(lang):
                return str(candidate[lang])
            candidate = " · ".join(dict.fromkeys(str(v) for k, v in sorted(
                candidate.items(), key=lambda kv: kv[0] != "zh") if v))
        if candidate:
            return str(candidate)
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown" and in_language(cell, lang):
            for line in _source(cell).splitlines():
                m = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
                if m:
                    return re.sub(r"[*_`]", "", m.group(1)).strip()
    return ""


def _title(nb: dict) -> str:
    zh, en = notebook_title(nb, "zh"), notebook_title(nb, "en")
    return zh if zh == en or not en else f"{zh} · {en}"


def _imports(cells: list[dict]) -> list[str]:
    """Modules the notebook's code imports (``from a import b`` yields ``a`` and ``a.b``)."""
    found: dict[str, None] = {}
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(_strip_magics(_source(cell)))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found[alias.name] = None
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found[node.module] = None
                for alias in node.names:
                    if alias.name != "*":
                        found[f"{node.module}.{alias.name}"] = None
    return list(found)


def _strip_magics(src: str) -> str:
    # IPython magics and shell escapes are not Python; keep line numbers stable
    return "\n".join("pass" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines())


def _comments(src: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return comments


def _parse_cell(src: str, *, notebook: str) -> list[Parameter]:
    code = _strip_magics(src)
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ParameterError(f"{notebook}: the parameters cell is not valid Python (line {exc.lineno}: "
                             f"{exc.msg}) — fix the cell so that each line reads `name: type = value  # comment`"
                             ) from None
    comments = _comments(code)
    lines = code.splitlines()
    params: dict[str, Parameter] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            targets, annotation, value = [stmt.target.id], stmt.annotation, stmt.value
        elif isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            targets, annotation, value = [t.id for t in stmt.targets], None, stmt.value
        else:
            continue
        comment = " ".join(comments[n] for n in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1)
                           if n in comments)
        if not comment:
            above = []
            n = stmt.lineno - 1
            while n >= 1 and lines[n - 1].lstrip().startswith("#"):
                above.insert(0, comments.get(n, ""))
                n -= 1
            comment = " ".join(above)
        for name in targets:
            source = "" if value is None else (ast.get_source_segment(code, value) or ast.unparse(value))
            params[name] = _parameter(name, annotation, value, source, comment, stmt.lineno, notebook=notebook)
    return list(params.values())


def _parameter(name: str, annotation: ast.expr | None, value: ast.expr | None, source: str, comment: str,
               line: int, *, notebook: str) -> Parameter:
    default: Any = None
    literal = True
    if value is not None:
        try:
            default = ast.literal_eval(value)
        except ValueError:
            literal = False
    literal_choices: tuple | None = None
    if annotation is not None:
        ptype, literal_choices = _annotation_type(annotation)
    elif literal:
        ptype = _type_of(default)
    else:
        ptype = ParamType("any")
    description, choices_text = _split_choices(comment)
    choices = literal_choices
    if choices is None and choices_text is not None:
        choices = tuple(_choice_value(item, ptype, name=name, notebook=notebook, line=line)
                        for item in re.split(r"\s*[,，、|/]\s*", choices_text.strip()) if item)
    if choices is not None and literal and default is not None and ptype.coerce(default) not in choices:
        raise ParameterError(
            f"{notebook}, parameters cell line {line}: the default {default!r} of {name!r} is not one of its "
            f"choices {', '.join(map(str, choices))} — add it to the choices or change the default")
    return Parameter(name=name, type=ptype, default=default, default_source=source, choices=choices,
                     description=description, line=line, literal_default=literal)


def _split_choices(comment: str) -> tuple[str, str | None]:
    m = re.search(r"(?i)\bchoices?\s*[:：]\s*([^;；]*)", comment)
    if not m:
        return comment.strip(), None
    rest = (comment[:m.start()] + comment[m.end():]).strip(" ;；,，—-")
    return rest, m.group(1)


def _choice_value(item: str, ptype: ParamType, *, name: str, notebook: str, line: int) -> Any:
    item = item.strip().strip("'\"`")
    kind = ptype.kind
    try:
        if kind == "int":
            return int(item)
        if kind == "float":
            return float(item)
        if kind == "bool":
            return {"true": True, "false": False}[item.lower()]
    except (ValueError, KeyError):
        raise ParameterError(f"{notebook}, parameters cell line {line}: choice {item!r} of {name!r} is not a "
                             f"{kind} — list choices as values of the parameter's type") from None
    return item


def _type_of(value: Any) -> ParamType:
    if value is None:
        return ParamType("any", nullable=True)
    for kind in ("bool", "int", "float", "str", "list", "dict"):
        if type(value) is _SCALARS[kind] or (kind == "list" and isinstance(value, tuple)):
            return ParamType(kind)
    return ParamType("any")


def _annotation_type(node: ast.expr) -> tuple[ParamType, tuple | None]:
    """(type, choices from ``Literal[...]``) of an annotation."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _annotation_type(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return ParamType("any"), None
    if isinstance(node, ast.Constant) and node.value is None:
        return ParamType("any", nullable=True), None
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = node.id if isinstance(node, ast.Name) else node.attr
        name = _ALIASES.get(name, name)
        return ParamType(name if name in _SCALARS else "any"), None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        parts = _union_parts(node)
        nullable = any(isinstance(p, ast.Constant) and p.value is None for p in parts)
        others = [p for p in parts if not (isinstance(p, ast.Constant) and p.value is None)]
        if len(others) == 1:
            inner, choices = _annotation_type(others[0])
            return ParamType(inner.kind, inner.items, nullable or inner.nullable), choices
        return ParamType("any", nullable=nullable), None
    if isinstance(node, ast.Subscript):
        base = node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", "")
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Optional":
            inner, choices = _annotation_type(args[0])
            return ParamType(inner.kind, inner.items, True), choices
        if base == "Literal":
            values = tuple(ast.literal_eval(a) for a in args)
            kinds = {_type_of(v).kind for v in values}
            return ParamType(kinds.pop() if len(kinds) == 1 else "any"), values
        if base == "Union":
            return _annotation_type(_as_bitor(args))
        base = _ALIASES.get(base, base)
        if base in ("list", "tuple"):
            return ParamType("list", _annotation_type(args[0])[0]), None
        if base == "dict" and len(args) == 2:
            return ParamType("dict", _annotation_type(args[1])[0]), None
        return ParamType(base if base in _SCALARS else "any"), None
    return ParamType("any"), None


def _union_parts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union_parts(node.left) + _union_parts(node.right)
    return [node]


def _as_bitor(args: list[ast.expr]) -> ast.expr:
    node = args[0]
    for arg in args[1:]:
        node = ast.BinOp(left=node, op=ast.BitOr(), right=arg)
    return node

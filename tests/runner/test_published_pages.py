"""Every published page of the default batch, read the way an official reads it: in headless Chromium at 1280 px.

Runs after ``make run`` (``make check-pages``; ``.ci/run`` calls it): it opens ``reports/index.html`` and every
report it links, and asserts what a reader would notice —

* one language per page: no English prose on a zh page (method names, units and file names allowed), no
  Chinese on an en page beyond the proper names listed below;
* no warning text (``findfont``, ``UserWarning``, tracebacks …);
* no table cell holding four or more Chinese characters narrower than 3.5 em (a name set one character per line);
* every chart (``<img>``) has an alt text naming it;
* the PDF beside every report exists, is A4 and has its fonts embedded.

Text inside ``<code>`` (parameters, file names, identifiers) is code, not prose, and is not checked for language.
``EVALKIT_REPORTS`` points at another reports folder; ``EVALKIT_SCREENSHOTS`` keeps the 1280 px screenshots.
"""
from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import pytest

from evalkit.runner.pdf import Chromium, find_browser

ROOT = Path(__file__).resolve().parents[2]
REPORTS = Path(os.environ.get("EVALKIT_REPORTS", ROOT / "reports"))

#: Latin words a Chinese page may carry: method and estimator names, their authors, units, acronyms
ALLOWED_LATIN_IN_ZH = {
    "ATT", "TWFE", "CS", "DID", "ETS", "ARIMA", "SARIMAX", "Holt", "Winters", "Sobol", "Callaway", "Sant", "Anna",
    "COINr", "JRC", "Monte", "Carlo", "MAPE", "MASE", "RMSE", "RMSPE", "Webb", "Goodman", "Bacon", "de",
    "Chaisemartin", "D'Haultfœuille", "Abadie", "Newey", "West", "Poisson", "Excel", "Word", "PDF", "evalkit",
    "min", "max", "ST", "lo", "hi", "km", "kg", "GDP", "CPI", "ID", "No", "README", "SHA", "Liaoning", "OLS",
}
#: Chinese an English page may carry: proper names with no English form in the data
ALLOWED_HAN_IN_EN: set[str] = set()

_VISIBLE_PROSE = """(() => {
  const clone = document.body.cloneNode(true);
  const frame = document.createElement('div');
  frame.style.cssText = 'position:absolute;left:-99999px;top:0;width:1280px';
  frame.appendChild(clone);
  document.documentElement.appendChild(frame);
  clone.querySelectorAll('code, pre, style, script, details:not([open]) > :not(summary)').forEach(e => e.remove());
  // text marked as another language (a report's own label in the index) is that language's, not this page's
  const pageLang = document.documentElement.lang.slice(0, 2);
  clone.querySelectorAll('[lang]').forEach(e => { if (e.lang.slice(0, 2) !== pageLang) e.remove(); });
  const text = clone.innerText;
  frame.remove();
  return text;
})()"""
_ALL_TEXT = "document.body.innerText"
_NARROW_CELLS = """(() => {
  const out = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const text = cell.innerText.trim();
    const han = (text.match(/[\\u4e00-\\u9fff]/g) || []).length;
    if (han < 4) continue;
    const em = parseFloat(getComputedStyle(cell).fontSize);
    const width = cell.getBoundingClientRect().width;
    if (width / em < 3.5) out.push([text.slice(0, 30), +(width / em).toFixed(2)]);
  }
  return out;
})()"""
_IMAGES = "[...document.images].map(i => [i.alt || '', i.naturalWidth])"
_WARNING = re.compile(r"findfont|UserWarning|RuntimeWarning|FutureWarning|DeprecationWarning|EvalkitWarning|"
                      r"ConvergenceWarning|Traceback \(most recent call last\)|Warning:")


def _pages() -> list[Path]:
    index = REPORTS / "index.html"
    if not index.is_file():
        return []
    links = re.findall(r'href="([^"]+\.html)"', index.read_text(encoding="utf-8"))
    return [index] + [REPORTS / link for link in dict.fromkeys(links) if not link.endswith(".error.html")
                      and (REPORTS / link).is_file() and link != "validation.html"]


def _lang(page: Path) -> str:
    head = page.read_text(encoding="utf-8")[:200]
    return "en" if '<html lang="en">' in head else "zh"


def english_words(text: str) -> list[str]:
    """Latin words of a zh page's prose that are not allowed: file names, URLs and ``a=b`` are not prose."""
    text = re.sub(r"\S*[/\\=@]\S*|\S+\.(csv|xlsx|txt|json|ipynb|html|md|pdf|py)\b", " ", text)
    text = re.sub(r"《[^》]*》", " ", text)  # a cited title is a proper name
    text = re.sub(r"\b\w*\d\w*\b", " ", text)  # hashes, codes and numbers with units (3aed7a, 2020a)
    words = re.findall(r"[A-Za-zœ]+(?:['’][A-Za-zœ]+)?", text)
    return [w for w in words if len(w) >= 2 and re.sub(r"['’].*", "", w) not in ALLOWED_LATIN_IN_ZH
            and w not in ALLOWED_LATIN_IN_ZH and not re.fullmatch(r"[A-Za-z]", w)
            and not (len(w) <= 2 and w.islower())]  # axis symbols: g, t, e, lo …


def chinese_runs(text: str) -> list[str]:
    """Runs of Chinese characters on an en page that are not allowed proper names."""
    return [run for run in re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", text)
            if run not in ALLOWED_HAN_IN_EN]


def test_language_checks_can_fail():
    assert english_words("城市低保平均标准 step settings 元/人·月 data/sample/panel.csv Sobol 指数 ATT(g,t) "
                         "《Sustainable development》 SHA-256 3aed7aebd14d") == ["step", "settings"]
    assert chinese_runs("Shenyang 沈阳市 values") == ["沈阳市"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = find_browser()
    if binary is None:
        message = "no chromium binary: install it with `apt-get install -y chromium fonts-noto-cjk`"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the published pages cannot be checked: {message}")
        pytest.skip(message)
    chromium = Chromium(binary, tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def pages(browser):
    found = _pages()
    if not found:
        message = f"no published reports in {REPORTS}: run `make run` first (then `make check-pages`)"
        if os.environ.get("CI") and os.environ.get("EVALKIT_PAGES_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    shots = Path(os.environ["EVALKIT_SCREENSHOTS"]) if os.environ.get("EVALKIT_SCREENSHOTS") else None
    seen = {}
    for page in found:
        target, session = browser.open(page.resolve().as_uri())
        try:
            facts = {name: browser.evaluate(session, script) for name, script in
                     (("prose", _VISIBLE_PROSE), ("text", _ALL_TEXT), ("narrow", _NARROW_CELLS),
                      ("images", _IMAGES))}
            if shots is not None:
                shots.mkdir(parents=True, exist_ok=True)
                shot = browser.send("Page.captureScreenshot", session, format="png", captureBeyondViewport=True)
                name = page.relative_to(REPORTS).as_posix().replace("/", "_").removesuffix(".html")
                (shots / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
        finally:
            browser.close_tab(target)
        seen[page.relative_to(REPORTS).as_posix()] = {"lang": _lang(page), **facts}
    return seen


def _problems(pages: dict, check) -> dict:
    found = {name: check(facts) for name, facts in pages.items()}
    return {name: problems for name, problems in found.items() if problems}


def test_zh_pages_have_no_english_prose(pages):
    bad = _problems(pages, lambda f: sorted(set(english_words(f["prose"]))) if f["lang"] == "zh" else [])
    assert not bad, "English words on Chinese pages:\n" + json.dumps(bad, ensure_ascii=False, indent=1)


def test_en_pages_have_no_chinese_beyond_proper_names(pages):
    bad = _problems(pages, lambda f: sorted(set(chinese_runs(f["prose"]))) if f["lang"] == "en" else [])
    assert not bad, "Chinese on English pages:\n" + json.dumps(bad, ensure_ascii=False, indent=1)


def test_no_warning_reaches_a_page(pages):
    bad = _problems(pages, lambda f: sorted({m.group(0) for m in _WARNING.finditer(f["text"])}))
    assert not bad, f"warning text on pages: {bad}"


def test_no_table_cell_sets_a_name_one_character_per_line(pages):
    bad = _problems(pages, lambda f: f["narrow"])
    assert not bad, "cells with 4+ Chinese characters narrower than 3.5 em:\n" + json.dumps(
        bad, ensure_ascii=False, indent=1)


def test_every_chart_has_an_alt_text_naming_it(pages):
    # nbconvert writes "No description has been provided for this image" where a PNG carries no alt of its own
    bad = _problems(pages, lambda f: [alt for alt, width in f["images"]
                                      if len(alt.strip()) < 2 or width == 0 or "No description" in alt])
    assert not bad, f"images without an alt text (or not loaded): {bad}"


def _printed_reports() -> set[str] | None:
    """Reports whose run printed a PDF, from the manifest (``None``: every report must have one)."""
    if os.environ.get("EVALKIT_PAGES_REQUIRED"):
        return None  # make check-pages and CI: a PDF beside every report
    manifest = REPORTS / "manifest.json"
    if not manifest.is_file():
        return None
    runs = json.loads(manifest.read_text(encoding="utf-8")).get("runs", [])
    return {r["report"] for r in runs if r.get("pdf") and r.get("report")}


def test_every_report_has_a_print_version(pages):
    printed = _printed_reports()  # a batch run with --no-pdf (or without a browser) printed none
    for name in pages:
        if name == "index.html" or (printed is not None and name not in printed):
            continue
        pdf = (REPORTS / name).with_suffix(".pdf")
        assert pdf.is_file(), f"{pdf} is missing"
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and b"/FontFile" in data, f"{pdf}: fonts not embedded"
        # A4 portrait: 595 × 842 points
        assert re.search(rb"/MediaBox\s*\[\s*0 0 595\.?\d* 841\.?\d*|/MediaBox\s*\[\s*0 0 595\.?\d* 842", data), pdf

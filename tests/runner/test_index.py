"""The index page: a report in another language keeps its own label, marked with its language."""
import re

from evalkit.runner.index import index_html
from evalkit.runner.manifest import Manifest

BATCH = {"started": "2026-12-07T04:00:00+00:00", "finished": "2026-12-07T04:01:00+00:00", "duration_s": 60.0,
         "workers": 2, "executor": "local", "status": "finished"}


def _record(slug: str, lang: str, title: str, label: str) -> dict:
    return {"id": f"city_profile/{slug}", "job": "city_profile", "notebook": "notebooks/city_profile.ipynb",
            "title": title, "lang": lang, "slug": slug, "parameters": {"unit": "210100", "lang": lang},
            "in_batch": True, "status": "success", "report": f"city_profile/{slug}.html",
            "figures": {"label": label}}


def test_a_foreign_language_label_is_marked_and_the_title_is_in_the_index_language(tmp_path):
    records = [_record("210100_en", "en", "City profile", "Shenyang"), _record("210100", "zh", "城市概况", "沈阳市")]
    page = index_html(Manifest.build(tmp_path / "manifest.json", batch=BATCH, environment={}, records=records), "zh")
    assert re.search(r'<span lang="en">\s*<a href="city_profile/210100_en.html">Shenyang</a>', page)
    assert '<span lang="zh">' not in page and "<h2>城市概况" in page and "City profile" not in page
    english = index_html(Manifest.build(tmp_path / "manifest.json", batch=BATCH, environment={}, records=records), "en")
    assert re.search(r'<span lang="zh">\s*<a href="city_profile/210100.html">沈阳市</a>', english)
    assert "<h2>City profile" in english

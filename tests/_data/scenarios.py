"""Shared test data for the scenario tests: a small hand-made panel, a minimal scenario, the shipped results."""
import textwrap
from functools import lru_cache

import pandas as pd

from evalkit import paths, projection, scenarios

SHIPPED = ["baseline", "accelerated", "fiscal_constrained"]

MINIMAL = """
name: test
label: {zh: 测试, en: Test}
base_year: 2020
horizon_end: 2025
n_draws: 500
indicators:
  dibao_urban_std:
    path: {kind: growth, rate: 0.05}
  tekun_std:
    path: {kind: link, to: dibao_urban_std, ratio: 1.3}
"""


def small_panel() -> pd.DataFrame:
    """A small hand-made panel for region 210000, 2015–2020 (values chosen for easy arithmetic)."""
    years = range(2015, 2021)
    series = {
        "dibao_urban_std": [400, 440, 480, 520, 560, 600],
        "dibao_recipients_urban": [60000, 55000, 50000, 45000, 40000, 36000],
        "nursing_bed_share": [30, 32, 34, 36, 38, 40],
        "elderly_beds": [1000, 1100, 1200, 1300, 1400, 1500],
    }
    return pd.DataFrame([{"region": "210000", "year": y, "indicator": k, "value": float(v)}
                         for k, vals in series.items() for y, v in zip(years, vals)])


def write_scenario(tmp_path, body: str, name: str = "s.yml"):
    """Write a dedented scenario file into *tmp_path*."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def sample_results():
    """The three shipped scenarios run on the sample panel with 300 draws (computed once per session)."""
    from evalkit.io import read_panel

    panel = read_panel(paths.sample_panel_path())
    loaded = [scenarios.load(f"{n}.yml") for n in SHIPPED]
    codes = sorted({c for sc in loaded for c in sc.indicators})
    # Fast methods keep the test quick; the notebook runs the scenario's own selection.
    selection = projection.select(panel, region="210000", indicator=codes, methods=["linear", "loglinear"])
    return panel, [scenarios.run(sc, panel, n_draws=300, selection=selection) for sc in loaded]


def elderly_care_yaml() -> str:
    """The ``elderly_care`` section of a test scenario: the shipped Liaoning cohort inputs, 35 beds per 1,000, 55 %."""
    from evalkit import paths

    folder = paths.data_dir() / "scenarios"
    return (f"elderly_care:\n  population: {folder / 'liaoning_population_2020.csv'}\n"
            f"  rates: {folder / 'liaoning_cohort_rates.csv'}\n  birth_survival: 0.995\n"
            "  beds_per_1000_target: 35\n  nursing_share_target: 55\n")

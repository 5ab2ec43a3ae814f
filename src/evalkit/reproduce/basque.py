"""Reference case ``basque``: the synthetic Basque Country of Abadie & Gardeazabal (2003).

Data: ``EVALKIT_REFERENCE_DATA/basque/basque.csv`` (``sdfordham/pysyncon`` ``data/basque.csv``, commit
34350ca548370902bc40cfcf6d37d97b9de0839e; originally R ``Synth``'s ``basque``). Specification as R
``Synth``'s documented example (help page ``?synth``; SCtools vignette "Replicating the Basque Study"):
predictors ``school.*`` and ``invest`` averaged over 1964–1969, ``gdpcap`` over 1960–1969, the six
``sec.*`` shares over odd years 1961–1969, ``popdens`` in 1969; fit window 1960–1969; treatment from 1970;
donors = the 16 other regions (not the Spain aggregate).

Published weights: Cataluña 0.851, Madrid 0.149, all others 0 (Abadie & Gardeazabal 2003; R ``Synth``
example output). The unrounded values used as references, 0.850816306 / 0.149183694, are the expected
weights in pysyncon's ``tests/test_synth_basque.py`` (whose donor list also contains the Spain
aggregate, which gets weight 0). No published ``pre_rmspe`` or ``placebo_p`` was found: ``reference``
is ``None`` for both.
"""
from __future__ import annotations

import pandas as pd

from evalkit.impact import synth
from evalkit.paths import require_reference_data

__all__ = ["PREDICTORS", "PUBLISHED_WEIGHTS", "TREATED", "fit", "load", "records", "records_from"]

TREATED = "Basque Country (Pais Vasco)"
EXCLUDED = ("Spain (Espana)",)
PREDICTORS = (
    [(c, range(1964, 1970)) for c in ("school.illit", "school.prim", "school.med", "school.high",
                                       "school.post.high", "invest")]
    + [("gdpcap", range(1960, 1970))]
    + [(c, range(1961, 1970, 2)) for c in ("sec.agriculture", "sec.energy", "sec.industry", "sec.construction",
                                            "sec.services.venta", "sec.services.nonventa")]
    + [("popdens", [1969])]
)
PUBLISHED_WEIGHTS = {"Cataluna": 0.850816306, "Madrid (Comunidad De)": 0.149183694}


def load() -> pd.DataFrame:
    """The Basque data (``ReferenceDataMissing`` if absent)."""
    return pd.read_csv(require_reference_data("basque", "basque.csv"))


def fit(data: pd.DataFrame, *, placebo: bool = True, leave_one_out: bool = False, **options):
    """The documented R ``Synth`` specification on *data* (*options* go to :func:`evalkit.impact.synth`)."""
    donors = [r for r in pd.unique(data["regionname"]) if r not in (TREATED, *EXCLUDED)]
    return synth(data, unit="regionname", time="year", outcome="gdpcap", treated=TREATED, start=1970,
                 donors=donors, predictors=PREDICTORS, fit_window=range(1960, 1970), placebo=placebo,
                 leave_one_out=leave_one_out, **options)


def records() -> list[dict]:
    """``W[<region>]`` for every donor, ``pre_rmspe`` and ``placebo_p``."""
    return records_from(fit(load()))


def records_from(result) -> list[dict]:
    """The validation records of an already computed :func:`fit` (placebos included)."""
    out = [{"case": "basque", "quantity": f"W[{region}]", "value": float(w),
            "reference": PUBLISHED_WEIGHTS.get(region, 0.0), "tolerance": 1e-3}
           for region, w in result.weights.items()]
    out.append({"case": "basque", "quantity": "pre_rmspe", "value": result.pre_rmspe, "reference": None})
    out.append({"case": "basque", "quantity": "placebo_p", "value": result.placebo_p, "reference": None})
    return out

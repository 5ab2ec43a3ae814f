"""Reference case ``mpdta_anticipation``: anticipation = 1 on mpdta, where the 2004 cohort has no base period.

With one period of anticipation the 2004 cohort (first period 2003) has no period before its anticipation
window. R ``did``'s ``pre_process_did`` drops its units with the warning "Dropped N units that were already
treated in the first period (accounting for anticipation = 1)", and so does evalkit, with a note.
Independent implementation: csdid 0.4.3 (the bench extra; Python port of R ``did``) on the same data:
every ATT(g,t) and SE, and the group aggregation (never-treated comparisons, doubly robust, analytic SEs).
The case is skipped, with the reason, where csdid is not installed.
"""
from __future__ import annotations

import io
import warnings
from contextlib import redirect_stdout

import pandas as pd

from evalkit.errors import ReferenceDataMissing
from evalkit.impact import att_gt
from evalkit.paths import require_reference_data

__all__ = ["CASE", "ROLES", "records", "reference"]

CASE = "mpdta_anticipation"
ROLES = dict(unit="countyreal", time="year", cohort="first.treat", outcome="lemp")


def reference(data: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The ATT(g,t) table and group aggregation of csdid with anticipation = 1."""
    try:
        from csdid.att_gt import ATTgt
    except ImportError:
        raise ReferenceDataMissing("the reference implementation csdid is not installed; "
                                   "pip install -e '.[bench]'") from None
    with warnings.catch_warnings(), redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        fit = ATTgt(yname="lemp", tname="year", idname="countyreal", gname="first.treat", data=data,
                    control_group=["nevertreated"], anticipation=1).fit(est_method="dr", bstrap=False)
        agg = fit.aggte(typec="group").atte
    res = fit.results
    table = pd.DataFrame({"group": res["group"], "time": res["year"], "att": res["att"], "se": res["se"]})
    return table, {"overall_att": float(agg["overall_att"]), "overall_se": float(agg["overall_se"]),
                   "n_units": int(fit.dp["n"]) if hasattr(fit, "dp") else None}


def records() -> list[dict]:
    """ATT(g,t), SE and the group aggregate of evalkit beside csdid's, and the number of units kept."""
    data = pd.read_csv(require_reference_data("mpdta", "mpdta.csv"))
    theirs, agg = reference(data)
    ours = att_gt(data, **ROLES, anticipation=1, n_boot=0, lang="en")
    table = ours.table.set_index(["group", "time"])
    out = []
    for row in theirs.itertuples():
        key = (int(row.group), int(row.time))
        for name, col, ref in (("ATT", "att", row.att), ("SE", "se", row.se)):
            value = float(table.loc[key, col]) if key in table.index else float("nan")
            out.append({"case": CASE, "quantity": f"{name}[{key[0]},{key[1]}]", "value": value,
                        "reference": float(ref), "tolerance": 1e-8})
    group = ours.aggregate("group")
    out.append({"case": CASE, "quantity": "group.overall_att", "value": group.att, "reference": agg["overall_att"],
                "tolerance": 1e-8})
    out.append({"case": CASE, "quantity": "group.overall_se", "value": group.se, "reference": agg["overall_se"],
                "tolerance": 1e-8})
    out.append({"case": CASE, "quantity": "cells", "value": len(ours.table), "reference": len(theirs),
                "tolerance": 0})
    out.append({"case": CASE, "quantity": "units", "value": ours.n_units, "reference": agg["n_units"],
                "tolerance": 0 if agg["n_units"] is not None else None})
    return out

"""The batch runner: ``runs.yml`` → checked parameters → parallel papermill runs → HTML reports.

Public entry points::

    evalkit.runner.run_batch("runs.yml", only=None, workers=None, force=False, show_code=False,
                             scheduler=None, dask_local=None) -> Manifest
    evalkit.runner.notebook_parameters("notebooks/data_audit.ipynb") -> Contract
    evalkit.runner.plan_batch("runs.yml") -> BatchPlan      # validate only; runs nothing

See ``runs.yml`` in the project root for the file format (documented in
:mod:`evalkit.runner.config`), and the README for scheduling and Dask.
"""
from evalkit.runner.batch import run_batch
from evalkit.runner.config import BatchPlan, plan_batch
from evalkit.runner.contract import Contract, notebook_parameters
from evalkit.runner.manifest import Manifest

__all__ = ["BatchPlan", "Contract", "Manifest", "notebook_parameters", "plan_batch", "run_batch"]
